package dev.keyward.console.rotation;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationStatus;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;

/** The Rotation screen's View (see {@link RotationViewModel}). */
public final class RotationView implements ScreenView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());
    private final RotationViewModel vm;
    private final Parent root;
    @FXML private TableView<RotationStatus> scheduleTable;
    @FXML private TableColumn<RotationStatus, String> colPath;
    @FXML private TableColumn<RotationStatus, String> colRotator;
    @FXML private TableColumn<RotationStatus, String> colNext;
    @FXML private TableColumn<RotationStatus, String> colLast;
    @FXML private TableColumn<RotationStatus, String> colFlags;
    @FXML private TableView<RotationRecord> historyTable;
    @FXML private TableColumn<RotationRecord, String> colStarted;
    @FXML private TableColumn<RotationRecord, String> colTrigger;
    @FXML private TableColumn<RotationRecord, String> colState;
    @FXML private TableColumn<RotationRecord, String> colAttempt;
    @FXML private TableColumn<RotationRecord, String> colError;
    @FXML private TextField reason;
    @FXML private Label badges;
    @FXML private Label error;
    @FXML private Label message;
    @FXML private Label selectedLabel;

    public RotationView(RotationViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.ROTATION, this);
    }

    private static String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }

    @FXML
    private void initialize() {
        scheduleTable.setItems(vm.schedules());
        colPath.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().path()));
        colRotator.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().rotator()));
        colNext.setCellValueFactory(c -> new ReadOnlyStringWrapper(time(c.getValue().nextRun())));
        colLast.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().lastOutcome() == null ? ""
                : c.getValue().lastOutcome() + " " + time(c.getValue().lastRunAt())));
        colFlags.setCellValueFactory(c -> new ReadOnlyStringWrapper(RotationViewModel.flags(c.getValue())));
        colFlags.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(String v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty ? null : v);
                getStyleClass().removeAll("error", "warning");
                if (!empty && v != null && (v.contains("needs attention") || v.contains("failing"))) {
                    getStyleClass().add("error");
                } else if (!empty && v != null && v.contains("overdue")) {
                    getStyleClass().add("warning");
                }
            }
        });
        scheduleTable.getSelectionModel().selectedItemProperty().addListener((o, a, s) -> {
            if (s != null) {
                vm.select(s.path());
            }
        });
        historyTable.setItems(vm.history());
        colStarted.setCellValueFactory(c -> new ReadOnlyStringWrapper(time(c.getValue().startedAt())));
        colTrigger.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().trigger().id()));
        colState.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().state()));
        colAttempt.setCellValueFactory(c -> new ReadOnlyStringWrapper(Integer.toString(c.getValue().attempt())));
        colError.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().error() == null ? ""
                : c.getValue().failedStep() + ": " + c.getValue().error()));
        badges.textProperty().bind(vm.badgesProperty());
        error.textProperty().bind(vm.errorProperty());
        message.textProperty().bind(vm.messageProperty());
        selectedLabel.textProperty().bind(vm.selectedProperty());
    }

    @FXML
    private void runNow() {
        vm.runNow(reason.getText());
        reason.clear();
    }

    @FXML
    private void reload() {
        vm.reload();
        if (!vm.selectedProperty().get().isEmpty()) {
            vm.select(vm.selectedProperty().get());
        }
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
}
