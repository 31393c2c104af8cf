package dev.keyward.vault.cli;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Pkcs11SealSpec;
import picocli.CommandLine.Option;

/** {@code --hsm-token-label} and {@code --hsm-token-serial}: which PKCS#11 token, by what it is called. */
final class HsmTokenOptions {
    @Option(names = "--hsm-token-label", paramLabel = "LABEL",
            description = "HSM seal: the token's label (as 'softhsm2-util --show-slots' or 'pkcs11-tool "
                    + "--list-token-slots' print it). The vault finds the token among the library's slots by "
                    + "label and serial, whatever slot it is in; seal.json records both.")
    String label;

    @Option(names = "--hsm-token-serial", paramLabel = "SERIAL",
            description = "HSM seal: the token's serial number, when two tokens share a label.")
    String serial;

    boolean given() {
        return label != null || serial != null;
    }

    /** Checks the pair (a serial needs a label); a bad one is a usage error. */
    HsmTokenOptions checked() {
        try {
            Pkcs11SealSpec.checkToken(label, serial);
        } catch (InvalidRequestException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
        return this;
    }
}
