package dev.keyward.console.alerts;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertState;
import dev.keyward.vault.api.AlertService.ContainmentAction;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;

/** The Alerts screen: alerts by state, one alert's detail and evidence, working an alert, undoing containment. */
public final class AlertsView implements ScreenView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());
    private final AlertsViewModel vm;
    private final Parent root;
    @FXML private ComboBox<String> stateFilter;
    @FXML private TableView<Alert> alertTable;
    @FXML private TableColumn<Alert, String> colTime;
    @FXML private TableColumn<Alert, String> colSeverity;
    @FXML private TableColumn<Alert, String> colDetector;
    @FXML private TableColumn<Alert, String> colIdentity;
    @FXML private TableColumn<Alert, String> colState;
    @FXML private TableColumn<Alert, String> colSummary;
    @FXML private TextArea alertDetail;
    @FXML private TextField alertReason;
    @FXML private ListView<ContainmentAction> actionList;
    @FXML private Label containment;
    @FXML private Label alertsError;
    @FXML private Label alertsInfo;

    public AlertsView(AlertsViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.ALERTS, this);
    }

    @FXML
    private void initialize() {
        stateFilter.getItems().setAll("open", "acknowledged", "resolved", "false-positive", "all");
        stateFilter.setValue("open");
        vm.stateFilterProperty().set(AlertState.OPEN);
        stateFilter.valueProperty().addListener((o, a, s) -> {
            vm.stateFilterProperty().set(s == null || s.equals("all") ? null
                    : AlertState.valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_')));
            vm.reload();
        });
        alertTable.setItems(vm.alerts());
        colTime.setCellValueFactory(c -> new ReadOnlyStringWrapper(TIME.format(c.getValue().raisedAt())));
        colSeverity.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().severity().id()));
        colDetector.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().detector()));
        colIdentity.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().identity()));
        colState.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().state().id()));
        colSummary.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().summary()));
        alertTable.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) { // a reload empties the selection: keep showing the alert last worked on
                vm.select(b);
            }
        });
        alertDetail.textProperty().bind(vm.detailProperty());
        actionList.setItems(vm.actions());
        actionList.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(ContainmentAction a, boolean empty) {
                super.updateItem(a, empty);
                setText(empty || a == null ? null : a.action() + "  " + (a.identity() == null ? "vault" : a.identity())
                        + "  " + a.state() + "  " + a.detail());
            }
        });
        containment.textProperty().bind(vm.containmentProperty());
        alertsError.textProperty().bind(vm.errorProperty());
        alertsInfo.textProperty().bind(vm.infoProperty());
    }

    /** The ViewModel (for tests). */
    public AlertsViewModel viewModel() {
        return vm;
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
    public boolean focusSearch() {
        stateFilter.requestFocus();
        return true;
    }

    @FXML
    private void reload() {
        vm.reload();
    }

    @FXML
    private void acknowledge() {
        vm.acknowledge(alertReason.getText());
    }

    @FXML
    private void resolve() {
        vm.resolve(alertReason.getText());
    }

    @FXML
    private void falsePositive() {
        vm.markFalsePositive(alertReason.getText());
    }

    @FXML
    private void undo() {
        vm.undo(actionList.getSelectionModel().getSelectedItem(), alertReason.getText());
    }
}
