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
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
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
    @FXML private TextField roleTokenTtl;
    @FXML private TextField roleTokenMaxTtl;
    @FXML private TextField roleTokenUses;
    @FXML private TextField roleTokenCidrs;
    @FXML private TextField roleSecretIdTtl;
    @FXML private TextField roleSecretIdUses;
    @FXML private TextField roleSecretIdCidrs;
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
        roleTable.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (r != null) {
                fill(IdentitiesViewModel.AppRoleForm.of(r));
            }
        });
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

    private IdentitiesViewModel.AppRoleForm form() {
        return new IdentitiesViewModel.AppRoleForm(newRoleName.getText(), newRolePolicies.getText(),
                newRoleOwner.getText(), roleTokenTtl.getText(), roleTokenMaxTtl.getText(), roleTokenUses.getText(),
                roleTokenCidrs.getText(), roleSecretIdTtl.getText(), roleSecretIdUses.getText(),
                roleSecretIdCidrs.getText());
    }

    private void fill(IdentitiesViewModel.AppRoleForm f) {
        newRoleName.setText(f.name());
        newRolePolicies.setText(f.policies());
        newRoleOwner.setText(f.owner());
        roleTokenTtl.setText(f.tokenTtl());
        roleTokenMaxTtl.setText(f.tokenMaxTtl());
        roleTokenUses.setText(f.tokenUses());
        roleTokenCidrs.setText(f.tokenCidrs());
        roleSecretIdTtl.setText(f.secretIdTtl());
        roleSecretIdUses.setText(f.secretIdUses());
        roleSecretIdCidrs.setText(f.secretIdCidrs());
    }

    @FXML
    private void createRole() {
        vm.createAppRole(form());
    }

    @FXML
    private void saveRole() {
        vm.saveAppRole(form());
    }

    @FXML
    private void deleteRole() {
        AppRoleInfo r = roleTable.getSelectionModel().getSelectedItem();
        if (r == null) {
            vm.deleteAppRole(null);
            return;
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Its secret_ids stop working and every token issued through it"
                + " is revoked at once: pipelines using it lose access.", ButtonType.CANCEL, ButtonType.OK);
        a.initOwner(root.getScene().getWindow());
        a.setHeaderText("Delete the AppRole " + r.name() + "?");
        ((Button) a.getDialogPane().lookupButton(ButtonType.OK)).setDefaultButton(false);
        ((Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        if (a.showAndWait().filter(b -> b == ButtonType.OK).isPresent()) {
            vm.deleteAppRole(r.name());
        }
    }

    @FXML
    private void issueSecretId() {
        AppRoleInfo r = roleTable.getSelectionModel().getSelectedItem();
        vm.issueSecretId(r == null ? null : r.name(), wrapSecretId.isSelected() ? Duration.ofMinutes(5) : null,
                this::showOnce);
    }

    /**
     * Shows a new secret_id once: role_id and secret_id (or the wrapping token) each in full in its
     * own read-only field with its own Copy; the dialog stays open after a copy and closes with Close
     * or Esc. Nothing keeps the secret after it closes.
     */
    private void showOnce(IdentitiesViewModel.IssuedSecretId issued) {
        boolean wrapped = issued.wrappingToken() != null;
        String secret = wrapped ? issued.wrappingToken() : issued.secretId();
        String secretName = wrapped ? "wrapping token" : "secret_id";
        TextField roleField = onceField("shownRoleId", issued.roleId());
        TextField secretField = onceField("shownSecretId", secret);
        Button copyRole = new Button("Copy role_id");
        copyRole.setId("copyRoleId");
        copyRole.setOnAction(e -> vm.copyPlain(issued.roleId()));
        Button copySecret = new Button("Copy " + secretName);
        copySecret.setId("copySecretId");
        copySecret.setOnAction(e -> vm.copy(secret));
        Label roleLabel = new Label("role_id");
        roleLabel.setLabelFor(roleField);
        Label secretLabel = new Label(wrapped ? "Wrapping token (single use, 5 min)" : "secret_id");
        secretLabel.setLabelFor(secretField);
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.addRow(0, roleLabel, roleField, copyRole);
        grid.addRow(1, secretLabel, secretField, copySecret);
        Label note = new Label("Copy it now: Keyward keeps only its hash. A copied " + secretName
                + " leaves the clipboard after " + vm.clipboardSeconds() + " s, or when the console locks.");
        note.setWrapText(true);
        note.setMaxWidth(560);
        VBox box = new VBox(12, grid, note);
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(root.getScene().getWindow());
        d.setTitle("New " + secretName + " for " + issued.role());
        d.setHeaderText("Shown once: the " + secretName + " for " + issued.role());
        d.getDialogPane().setContent(box);
        d.getDialogPane().getButtonTypes().setAll(ButtonType.CLOSE);
        d.setResizable(true);
        d.setOnHidden(e -> {
            roleField.clear();
            secretField.clear();
        });
        d.showAndWait();
    }

    private static TextField onceField(String id, String value) {
        TextField f = new TextField(value);
        f.setId(id);
        f.setEditable(false);
        f.getStyleClass().add("code");
        f.setPrefColumnCount(Math.max(20, value.length() + 4));
        f.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        return f;
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
