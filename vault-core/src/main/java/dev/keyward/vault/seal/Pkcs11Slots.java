package dev.keyward.vault.seal;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import dev.keyward.vault.api.HsmUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens a PKCS#11 library lists: slot id, label and serial number of each, read with
 * {@code C_GetSlotList} and {@code C_GetTokenInfo} (SunPKCS11 has no public slot list). The
 * library is initialised for several threads (CKF_OS_LOCKING_OK) and never finalised here:
 * SunPKCS11 shares the same loaded library in this process and accepts an initialised one.
 */
final class Pkcs11Slots {
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Slots.class);
    private static final long CKR_OK = 0;
    private static final long CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;
    private static final long CKF_OS_LOCKING_OK = 0x2;
    private static final long CKF_TOKEN_INITIALIZED = 0x400;
    /** CK_TOKEN_INFO: label[32], manufacturerID[32], model[16], serialNumber[16], flags, ... */
    private static final int LABEL = 0;
    private static final int SERIAL = 80;
    private static final int FLAGS = 96;
    private static final int TOKEN_INFO_SIZE = 512;
    private static final Map<String, Cryptoki> LIBRARIES = new ConcurrentHashMap<>();

    private Pkcs11Slots() {
    }

    /** One token as the library lists it. */
    record Token(long slot, int index, String label, String serial, boolean initialized) {
        String describe() {
            return "'" + label + "' (serial " + serial + ", slot id " + slot + ")";
        }
    }

    /** The calls of the PKCS#11 C API used here (CK_ULONG is a C long). */
    interface Cryptoki extends Library {
        NativeLong C_Initialize(Pointer initArgs);

        NativeLong C_GetSlotList(byte tokenPresent, Pointer slotList, NativeLongByReference count);

        NativeLong C_GetTokenInfo(NativeLong slot, Pointer info);
    }

    /** Every slot with a token, in the library's order (the index is the slot list index). */
    static List<Token> list(String library) {
        Cryptoki c = load(library);
        NativeLongByReference count = new NativeLongByReference();
        check(c.C_GetSlotList((byte) 0, null, count), "C_GetSlotList");
        Memory slots = new Memory((long) Math.max(1, count.getValue().intValue()) * Native.LONG_SIZE);
        check(c.C_GetSlotList((byte) 0, slots, count), "C_GetSlotList");
        List<Token> out = new ArrayList<>();
        Memory info = new Memory(TOKEN_INFO_SIZE);
        for (int i = 0; i < count.getValue().intValue(); i++) {
            info.clear();
            NativeLong slot = slots.getNativeLong((long) i * Native.LONG_SIZE);
            long rv = c.C_GetTokenInfo(slot, info).longValue();
            if (rv != CKR_OK) {
                // no token there (CKR_TOKEN_NOT_PRESENT), or one that went away (SoftHSM2 answers
                // CKR_GENERAL_ERROR when a token's files were removed): not listed
                LOG.debug("C_GetTokenInfo for slot {} returned 0x{}", slot.longValue(), Long.toHexString(rv));
                continue;
            }
            long flags = info.getNativeLong(FLAGS).longValue();
            out.add(new Token(slot.longValue(), i, text(info, LABEL, 32), text(info, SERIAL, 16),
                    (flags & CKF_TOKEN_INITIALIZED) != 0));
        }
        return out;
    }

    private static String text(Memory m, int offset, int length) {
        return new String(m.getByteArray(offset, length), StandardCharsets.UTF_8).trim();
    }

    private static Cryptoki load(String library) {
        return LIBRARIES.computeIfAbsent(library, lib -> {
            Cryptoki c;
            try {
                c = Native.load(lib, Cryptoki.class);
            } catch (UnsatisfiedLinkError e) {
                LOG.warn("the PKCS#11 library {} could not be loaded: {}", lib, e.getMessage());
                throw new HsmUnavailableException("the PKCS#11 library " + lib + " could not be loaded");
            }
            // CK_C_INITIALIZE_ARGS: four mutex callbacks (none), flags, pReserved.
            Memory args = new Memory(5L * Native.POINTER_SIZE + Native.LONG_SIZE);
            args.clear();
            args.setNativeLong(4L * Native.POINTER_SIZE, new NativeLong(CKF_OS_LOCKING_OK));
            long rv = c.C_Initialize(args).longValue();
            if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                LOG.warn("C_Initialize of {} returned 0x{}", lib, Long.toHexString(rv));
                throw new HsmUnavailableException("the PKCS#11 library " + lib + " did not initialise");
            }
            return c;
        });
    }

    private static void check(NativeLong rv, String call) {
        if (rv.longValue() != CKR_OK) {
            LOG.warn("{} returned 0x{}", call, Long.toHexString(rv.longValue()));
            throw new HsmUnavailableException("the PKCS#11 library does not list its tokens (" + call + " failed)");
        }
    }
}
