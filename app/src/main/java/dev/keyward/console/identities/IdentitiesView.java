package dev.keyward.console.identities;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import dev.keyward.vault.api.IdentityService.AppRoleInfo;
import dev.keyward.vault.api.IdentityService.OperatorInfo;
import dev.keyward.vault.api.TokenInfo;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;

public final class IdentitiesView implements ScreenView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());
    private final IdentitiesViewModel vm;
    private final Parent root;
    @FXML private TableView<OperatorInfo> operatorTable;
    @FXML private TableColumn<OperatorInfo, String> opName;
    @FXML private TableColumn<OperatorInfo, String> opRoles;
    @FXML private TableColumn<OperatorInfo, String> opState;
    @FXML private TableView<AppRoleInfo> roleTable;
    @FXML private TableColumn<AppRoleInfo, String> roleName;
    @FXML private TableColumn<AppRoleInfo, String> rolePolicies;
    @FXML private TableColumn<AppRoleInfo, String> roleOwner;
    @FXML private TextField newRoleName;
    @FXML private TextField newRolePolicies;
    @FXML private TextField newRoleOwner;
    @FXML private CheckBox wrapSecretId;
    @FXML private TableView<TokenInfo> tokenTable;
    @FXML private TableColumn<TokenInfo, String> tokAccessor;
    @FXML private TableColumn<TokenInfo, String> tokName;
    @FXML private TableColumn<TokenInfo, String> tokPolicies;
    @FXML private TableColumn<TokenInfo, String> tokExpires;
    @FXML private Label error;
    @FXML private Label info;

    public IdentitiesView(IdentitiesViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.IDENTITIES, this);
    }

    @FXML
    private void initialize() {
        operatorTable.setItems(vm.operators());
        opName.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        opRoles.setCellValueFactory(c -> new ReadOnlyStringWrapper(String.join(", ", c.getValue().roles())));
        opState.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().disabled() ? "disabled"
                : c.getValue().lockedUntil() != null ? "locked until " + TIME.format(c.getValue().lockedUntil())
                : "active"));
        roleTable.setItems(vm.appRoles());
        roleName.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        rolePolicies.setCellValueFactory(c -> new ReadOnlyStringWrapper(String.join(", ",
                c.getValue().spec().policies())));
        roleOwner.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().spec().owner()));
        tokenTable.setItems(vm.tokens());
        tokAccessor.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().accessor()));
        tokName.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().displayName()));
        tokPolicies.setCellValueFactory(c -> new ReadOnlyStringWrapper(String.join(", ", c.getValue().policies())));
        tokExpires.setCellValueFactory(c -> new ReadOnlyStringWrapper(
                c.getValue().expiresAt() == null ? "never" : TIME.format(c.getValue().expiresAt())));
        error.textProperty().bind(vm.errorProperty());
        info.textProperty().bind(vm.infoProperty());
    }

    @Override
    public Parent root() {
        return root;
    }

    @Override
    public void firstShown() {
        vm.reload();
    }

    @FXML
    private void reload() {
        vm.reload();
    }

    @FXML
    private void createRole() {
        vm.createAppRole(newRoleName.getText(), newRolePolicies.getText(), newRoleOwner.getText());
    }

    @FXML
    private void issueSecretId() {
        AppRoleInfo r = roleTable.getSelectionModel().getSelectedItem();
        vm.issueSecretId(r == null ? null : r.name(), wrapSecretId.isSelected() ? Duration.ofMinutes(5) : null,
                this::showOnce);
    }

    /** Shows a new secret_id once; nothing keeps it after the dialog closes. */
    private void showOnce(IdentitiesViewModel.IssuedSecretId issued) {
        boolean wrapped = issued.wrappingToken() != null;
        String secret = wrapped ? issued.wrappingToken() : issued.secretId();
        TextArea text = new TextArea("role_id:   " + issued.roleId() + "\n"
                + (wrapped ? "wrapping token (single use, 5 min): " : "secret_id: ") + secret);
        text.setEditable(false);
        text.setPrefRowCount(3);
        text.getStyleClass().add("code");
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.initOwner(root.getScene().getWindow());
        a.setHeaderText("Shown once: copy it now. Keyward keeps only its hash.");
        a.getDialogPane().setContent(text);
        ButtonType copy = new ButtonType("Copy " + (wrapped ? "wrapping token" : "secret_id"));
        a.getButtonTypes().setAll(copy, ButtonType.CLOSE);
        a.showAndWait().filter(b -> b == copy).ifPresent(b -> vm.copy(secret));
        text.clear();
    }

    @FXML
    private void revokeToken() {
        TokenInfo t = tokenTable.getSelectionModel().getSelectedItem();
        if (t == null) {
            return;
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "The token stops working at once.", ButtonType.CANCEL,
                ButtonType.OK);
        a.initOwner(root.getScene().getWindow());
        a.setHeaderText("Revoke the token of " + t.displayName() + "?");
        if (a.showAndWait().filter(b -> b == ButtonType.OK).isPresent()) {
            vm.revokeToken(t.accessor());
        }
    }
}
