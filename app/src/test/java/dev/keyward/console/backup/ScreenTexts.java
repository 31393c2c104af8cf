package dev.keyward.console.backup;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Labeled;
import javafx.scene.control.TextInputControl;
import javafx.stage.Window;
import org.slf4j.LoggerFactory;

/** Every text the console shows, and every log line it writes, for canary checks. */
final class ScreenTexts {
    private ScreenTexts() {
    }

    /** The texts of every label, button and field in every showing window (call on the FX thread). */
    static List<String> all() {
        List<String> out = new ArrayList<>();
        for (Window w : Window.getWindows()) {
            if (w.getScene() != null) {
                if (w instanceof javafx.stage.Stage s && s.getTitle() != null) {
                    out.add(s.getTitle());
                }
                collect(w.getScene().getRoot(), out);
            }
        }
        return out;
    }

    private static void collect(Node n, List<String> out) {
        if (n instanceof Labeled l && l.getText() != null) {
            out.add(l.getText());
        }
        if (n instanceof TextInputControl t && t.getText() != null) {
            out.add(t.getText());
        }
        if (n instanceof Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                collect(c, out);
            }
        }
    }

    /** Records every log event from now on (root logger). */
    static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> a = new ListAppender<>();
        a.start();
        root().addAppender(a);
        return a;
    }

    static void stop(ListAppender<ILoggingEvent> a) {
        root().detachAppender(a);
        a.stop();
    }

    static List<String> lines(ListAppender<ILoggingEvent> a) {
        synchronized (a.list) {
            return a.list.stream().map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : " " + e.getThrowableProxy().getMessage())).toList();
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
