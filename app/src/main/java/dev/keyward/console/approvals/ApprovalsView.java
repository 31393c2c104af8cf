package dev.keyward.console.approvals;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import dev.keyward.vault.api.ApprovalService.Request;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ObservableList;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;

/** The approvals inbox: three lists, the selected request with its diff, approve or deny. */
public final class ApprovalsView implements ScreenView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());
    private final ApprovalsViewModel vm;
    private final Parent root;
    @FXML private TableView<Request> waitingTable;
    @FXML private TableView<Request> mineTable;
    @FXML private TableView<Request> historyTable;
    @FXML private TextArea details;
    @FXML private TextField reason;
    @FXML private PasswordField passphrase;
    @FXML private Button approveButton;
    @FXML private Button denyButton;
    @FXML private Label countdown;
    @FXML private Label error;
    @FXML private Label info;

    public ApprovalsView(ApprovalsViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.APPROVALS, this);
    }

    @FXML
    private void initialize() {
        table(waitingTable, vm.waiting());
        table(mineTable, vm.mine());
        table(historyTable, vm.history());
        details.textProperty().bind(vm.detailsProperty());
        countdown.textProperty().bind(vm.countdownProperty());
        error.textProperty().bind(vm.errorProperty());
        info.textProperty().bind(vm.infoProperty());
        approveButton.disableProperty().bind(vm.selectedProperty().isNull());
        denyButton.disableProperty().bind(vm.selectedProperty().isNull());
    }

    private void table(TableView<Request> t, ObservableList<Request> items) {
        t.setItems(items);
        t.getColumns().add(column("Operation", r -> r.operation()));
        t.getColumns().add(column("Resource", Request::resource));
        t.getColumns().add(column("By", Request::requester));
        t.getColumns().add(column("Status", Request::status));
        t.getColumns().add(column("Asked", r -> TIME.format(r.createdAt())));
        t.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (r != null) {
                vm.select(r);
            }
        });
    }

    private static TableColumn<Request, String> column(String title, Function<Request, String> value) {
        TableColumn<Request, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(value.apply(x.getValue())));
        return c;
    }

    @Override
    public Parent root() {
        return root;
    }

    @Override
    public void firstShown() {
        vm.reload();
    }

    @Override
    public void shown() {
        vm.reload();
    }

    @Override
    public void tick() {
        vm.tick(java.time.Instant.now());
    }

    @Override
    public void dispose() {
        passphrase.clear();
    }

    @FXML
    private void reload() {
        vm.reload();
    }

    private char[] takePassphrase() {
        char[] p = passphrase.getText().toCharArray();
        passphrase.clear();
        return p;
    }

    @FXML
    private void approve() {
        vm.approve(reason.getText(), takePassphrase());
    }

    @FXML
    private void deny() {
        vm.deny(reason.getText(), takePassphrase());
    }

    @FXML
    private void cancel() {
        vm.cancel();
    }
}
