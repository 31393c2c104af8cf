package dev.keyward.console.init;

import static dev.keyward.console.common.PasswordFields.chars;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.Validation;
import dev.keyward.console.common.ViewLoader;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.controlsfx.validation.ValidationSupport;

/** The first-run wizard. */
public final class InitView {
    private final InitViewModel vm;
    private final Parent root;
    @FXML private VBox formPane;
    @FXML private VBox sharesPane;
    @FXML private VBox confirmPane;
    @FXML private ToggleGroup sealGroup;
    @FXML private RadioButton sealPassphrase;
    @FXML private RadioButton sealHsm;
    @FXML private RadioButton sealShamir;
    @FXML private Label home;
    @FXML private Node passphrasePane;
    @FXML private PasswordField unsealPassphrase;
    @FXML private PasswordField unsealConfirm;
    @FXML private ProgressBar strengthBar;
    @FXML private Label strengthLabel;
    @FXML private CheckBox acceptWeak;
    @FXML private Node hsmPane;
    @FXML private TextField hsmLibrary;
    @FXML private TextField hsmSlot;
    @FXML private TextField hsmKeyLabel;
    @FXML private PasswordField hsmPin;
    @FXML private Button testHsmButton;
    @FXML private ProgressIndicator hsmTesting;
    @FXML private Label hsmResult;
    @FXML private Node shamirPane;
    @FXML private Spinner<Integer> shamirShares;
    @FXML private Spinner<Integer> shamirThreshold;
    @FXML private TextField adminName;
    @FXML private PasswordField adminPassphrase;
    @FXML private PasswordField adminConfirm;
    @FXML private Label sharesInfo;
    @FXML private VBox shareList;
    @FXML private Label confirmInfo;
    @FXML private PasswordField confirmShare;
    @FXML private CheckBox acknowledgeShares;
    @FXML private Label error;
    @FXML private Button createButton;
    @FXML private ProgressIndicator busy;

    public InitView(InitViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.INIT, this);
        root.sceneProperty().addListener((o, a, scene) -> {
            if (scene == null) {
                wipe();
                vm.dispose();
            }
        });
    }

    public Parent root() {
        return root;
    }

    public InitViewModel viewModel() {
        return vm;
    }

    @FXML
    private void initialize() {
        home.setText("New vault in " + vm.home());
        sealPassphrase.setUserData(InitViewModel.SealChoice.PASSPHRASE);
        sealHsm.setUserData(InitViewModel.SealChoice.HSM);
        sealShamir.setUserData(InitViewModel.SealChoice.SHAMIR);
        sealPassphrase.setSelected(true);
        sealGroup.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true);
            } else {
                vm.sealProperty().set((InitViewModel.SealChoice) b.getUserData());
            }
        });
        showOnly(passphrasePane, InitViewModel.SealChoice.PASSPHRASE);
        showOnly(hsmPane, InitViewModel.SealChoice.HSM);
        showOnly(shamirPane, InitViewModel.SealChoice.SHAMIR);
        vm.sealProperty().addListener((o, a, b) -> {
            if (b != InitViewModel.SealChoice.PASSPHRASE) {
                unsealPassphrase.clear();
                unsealConfirm.clear();
            }
            if (b != InitViewModel.SealChoice.HSM) {
                hsmPin.clear();
            }
        });

        unsealPassphrase.textProperty().addListener((o, a, b) -> vm.passphraseChanged(b));
        strengthBar.progressProperty().bind(vm.strengthProperty());
        strengthLabel.textProperty().bind(vm.strengthLabelProperty());
        acceptWeak.visibleProperty().bind(vm.weakProperty());
        acceptWeak.managedProperty().bind(acceptWeak.visibleProperty());
        acceptWeak.selectedProperty().bindBidirectional(vm.acceptWeakProperty());
        vm.strengthProperty().addListener((o, a, b) -> {
            strengthBar.getStyleClass().removeAll("weak", "fair", "strong");
            strengthBar.getStyleClass().add(b.doubleValue() < 0.5 ? "weak" : b.doubleValue() < 0.75 ? "fair" : "strong");
        });

        hsmLibrary.setText(vm.suggestedLibrary());
        hsmKeyLabel.setText(Pkcs11SealSpec.DEFAULT_KEY_LABEL);
        hsmResult.textProperty().bind(vm.hsmResultProperty());
        vm.hsmOkProperty().addListener((o, a, ok) -> {
            hsmResult.getStyleClass().removeAll("error", "ok");
            hsmResult.getStyleClass().add(ok ? "ok" : "error");
        });
        hsmTesting.visibleProperty().bind(vm.testingProperty());
        testHsmButton.disableProperty().bind(vm.testingProperty().or(vm.busyProperty()));

        shamirShares.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(2,
                ShamirSealSpec.MAX_SHARES, 3));
        shamirThreshold.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(2,
                ShamirSealSpec.MAX_SHARES, 2));

        error.textProperty().bind(vm.errorProperty());
        busy.visibleProperty().bind(vm.busyProperty());
        createButton.disableProperty().bind(vm.busyProperty());
        adminName.setText("admin");
        ValidationSupport vs = new ValidationSupport();
        Validation.<String>register(vs, unsealPassphrase, vm::checkPassphrase);
        Validation.<String>register(vs, unsealConfirm, v -> vm.checkConfirmation(unsealPassphrase.getText(), v));
        Validation.<String>register(vs, hsmLibrary, vm::checkLibrary);
        Validation.<String>register(vs, hsmSlot, vm::checkSlot);
        Validation.<String>register(vs, hsmKeyLabel, vm::checkKeyLabel);
        Validation.<String>register(vs, hsmPin, vm::checkPin);
        Validation.<String>register(vs, adminName, vm::checkAdminName);
        Validation.<String>register(vs, adminPassphrase, vm::checkPassphrase);
        Validation.<String>register(vs, adminConfirm, v -> vm.checkConfirmation(adminPassphrase.getText(), v));

        page(formPane, InitViewModel.Page.FORM);
        page(sharesPane, InitViewModel.Page.SHARES);
        page(confirmPane, InitViewModel.Page.CONFIRM);
        sharesInfo.textProperty().bind(vm.shareInfoProperty());
        confirmInfo.textProperty().bind(vm.shareInfoProperty());
        vm.shares().addListener((ListChangeListener<String>) c -> showShares());
        vm.pageProperty().addListener((o, a, p) -> {
            if (p != InitViewModel.Page.FORM) {
                wipe();
            }
            if (p != InitViewModel.Page.CONFIRM) {
                confirmShare.clear();
            }
        });
    }

    private void showOnly(Node pane, InitViewModel.SealChoice choice) {
        pane.visibleProperty().bind(vm.sealProperty().isEqualTo(choice));
        pane.managedProperty().bind(pane.visibleProperty());
    }

    private void page(Node pane, InitViewModel.Page p) {
        pane.visibleProperty().bind(vm.pageProperty().isEqualTo(p));
        pane.managedProperty().bind(pane.visibleProperty());
    }

    private void showShares() {
        shareList.getChildren().clear();
        for (int i = 0; i < vm.shares().size(); i++) {
            int index = i;
            TextField share = new TextField(vm.shares().get(i));
            share.setId("share" + (i + 1));
            share.setEditable(false);
            share.getStyleClass().add("code");
            HBox.setHgrow(share, Priority.ALWAYS);
            Button copy = new Button("Copy");
            copy.setId("copyShare" + (i + 1));
            copy.setOnAction(e -> vm.copyShare(index));
            HBox row = new HBox(8, new Label("Share " + (i + 1)), share, copy);
            row.setAlignment(Pos.CENTER_LEFT);
            shareList.getChildren().add(row);
        }
    }

    @FXML
    private void create() {
        switch (vm.sealProperty().get()) {
            case PASSPHRASE -> vm.create(chars(unsealPassphrase), chars(unsealConfirm), adminName.getText(),
                    chars(adminPassphrase), chars(adminConfirm));
            case HSM -> vm.createHsm(hsmLibrary.getText(), hsmSlot.getText(), hsmKeyLabel.getText(), chars(hsmPin),
                    adminName.getText(), chars(adminPassphrase), chars(adminConfirm));
            case SHAMIR -> vm.createShamir(shamirShares.getValue(), shamirThreshold.getValue(), adminName.getText(),
                    chars(adminPassphrase), chars(adminConfirm));
            default -> throw new IllegalStateException();
        }
    }

    @FXML
    private void testHsm() {
        vm.testConnection(hsmLibrary.getText(), hsmSlot.getText(), hsmKeyLabel.getText(), chars(hsmPin));
    }

    @FXML
    private void sharesStored() {
        vm.sharesStored();
    }

    @FXML
    private void backToShares() {
        vm.backToShares();
    }

    @FXML
    private void finish() {
        if (vm.finish(chars(confirmShare), acknowledgeShares.isSelected())) {
            shareList.getChildren().clear();
        }
        confirmShare.clear();
    }

    /** Called about once a second while the wizard shows. */
    public void tick() {
        vm.tick();
    }

    /** Clears every passphrase, PIN and share field (when the form is left or the wizard hides). */
    public void wipe() {
        unsealPassphrase.clear();
        unsealConfirm.clear();
        hsmPin.clear();
        adminPassphrase.clear();
        adminConfirm.clear();
        confirmShare.clear();
    }

    @FXML
    private void restoreFromBackup() {
        vm.restoreFromBackup();
    }
}
