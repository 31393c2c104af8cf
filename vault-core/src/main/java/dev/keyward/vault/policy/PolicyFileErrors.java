package dev.keyward.vault.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.PolicyFileException;
import java.io.StringReader;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Turns what went wrong reading a policy-as-code file into a sentence at the line where it is:
 * YAML syntax errors in words instead of the parser's text, and a value the file's records refuse
 * (an unknown capability, a bad expiry) at the line of that value rather than at the end of the
 * entry where the parser noticed it.
 */
final class PolicyFileErrors {
    private static final Pattern QUOTED = Pattern.compile("'([^']{1,200})'");

    private PolicyFileErrors() {
    }

    static PolicyFileException of(String yaml, JsonProcessingException e) {
        MarkedYAMLException syntax = find(e, MarkedYAMLException.class);
        if (syntax != null) {
            return syntax(syntax);
        }
        JsonLocation loc = e.getLocation();
        int line = loc == null ? 1 : Math.max(1, loc.getLineNr());
        int column = loc == null ? 1 : Math.max(1, loc.getColumnNr());
        if (!(e instanceof JsonMappingException m)) {
            return new PolicyFileException("this is not valid YAML", line, column);
        }
        Node root = compose(yaml);
        Node at = root == null ? null : at(root, m.getPath());
        String field = lastField(m.getPath());
        if (m instanceof UnrecognizedPropertyException u) {
            List<JsonMappingException.Reference> path = m.getPath();
            Node owner = root == null || path.isEmpty() ? null : at(root, path.subList(0, path.size() - 1));
            Node key = owner instanceof MappingNode map ? key(map, u.getPropertyName()) : null;
            Mark mark = key != null ? key.getStartMark() : null;
            return new PolicyFileException("unknown field '" + u.getPropertyName() + "'" + known(u.getKnownPropertyIds()),
                    mark != null ? mark.getLine() + 1 : line, mark != null ? mark.getColumn() + 1 : column);
        }
        if (m instanceof ValueInstantiationException || m.getCause() instanceof KeywardException
                || m.getCause() instanceof IllegalArgumentException) {
            String why = refusal(m);
            Node value = at == null ? null : mentioned(at, why);
            Node where = value != null ? value : at;
            return where == null ? new PolicyFileException(why, line, column)
                    : new PolicyFileException(why, where.getStartMark().getLine() + 1,
                            where.getStartMark().getColumn() + 1);
        }
        String sentence = m instanceof MismatchedInputException mi ? wrongType(field, mi) : "this value cannot be read";
        if (at != null) {
            return new PolicyFileException(sentence, at.getStartMark().getLine() + 1, at.getStartMark().getColumn() + 1);
        }
        return new PolicyFileException(sentence, line, column);
    }

    // ------------------------------------------------------------ YAML syntax

    private static PolicyFileException syntax(MarkedYAMLException y) {
        String problem = y.getProblem() == null ? "" : y.getProblem();
        Mark problemMark = y.getProblemMark();
        Mark contextMark = y.getContextMark();
        String sentence;
        Mark mark = problemMark;
        if (problem.contains("could not find expected ':'")) {
            sentence = "a key without ':' (write key: value)";
            mark = contextMark != null ? contextMark : problemMark;
        } else if (problem.contains("mapping values are not allowed")) {
            sentence = "a ':' where a value was expected: quote the value, or put a nested key on its own line";
        } else if (problem.contains("\\t") || problem.toLowerCase(Locale.ROOT).contains("tab")) {
            sentence = "a tab character: YAML indents with spaces only";
        } else if (problem.contains("expected <block end>") || problem.contains("did not find expected key")
                || problem.contains("did not find expected '-'")) {
            sentence = "this line is not indented like the lines around it: the keys of one entry start in the same"
                    + " column, and list items with '-' under their key";
        } else if (problem.contains("found duplicate key")) {
            sentence = "this key appears twice in the same entry";
        } else if (problem.contains("end of the stream") || problem.contains("unexpected end")
                || problem.contains("flow")) {
            sentence = "a quote or bracket that is not closed";
        } else {
            sentence = "this is not valid YAML here";
        }
        int line = mark == null ? 1 : mark.getLine() + 1;
        int column = mark == null ? 1 : mark.getColumn() + 1;
        return new PolicyFileException(sentence, line, column);
    }

    // ------------------------------------------------------------ values the records refuse

    private static String refusal(JsonMappingException m) {
        Throwable root = m;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof KeywardException || root instanceof IllegalArgumentException) {
            return root.getMessage();
        }
        return "this entry cannot be read";
    }

    /** The scalar under {@code n} that the message quotes ('reed', 'soon'), or null. */
    private static Node mentioned(Node n, String message) {
        Matcher q = QUOTED.matcher(message == null ? "" : message);
        while (q.find()) {
            Node hit = scalar(n, q.group(1));
            if (hit != null) {
                return hit;
            }
        }
        return null;
    }

    private static Node scalar(Node n, String value) {
        if (n instanceof ScalarNode s) {
            return s.getValue().equals(value) ? s : null;
        }
        if (n instanceof SequenceNode seq) {
            for (Node c : seq.getValue()) {
                Node hit = scalar(c, value);
                if (hit != null) {
                    return hit;
                }
            }
        }
        if (n instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                Node hit = scalar(t.getValueNode(), value);
                if (hit != null) {
                    // the line that holds it: a list item's own line, a key's line
                    return t.getValueNode() instanceof ScalarNode ? t.getKeyNode() : hit;
                }
            }
        }
        return null;
    }

    private static String wrongType(String field, MismatchedInputException e) {
        Class<?> t = e.getTargetType();
        String name = field == null ? "this value" : "'" + field + "'";
        if (t == null) {
            return name + " has the wrong form";
        }
        if (Collection.class.isAssignableFrom(t) || t.isArray()) {
            return name + " is a list, e.g. [read, list]";
        }
        if (Map.class.isAssignableFrom(t) || t.isRecord()) {
            return name + " holds nested fields (key: value lines indented below it)";
        }
        if (t == boolean.class || t == Boolean.class) {
            return name + " is true or false";
        }
        if (Number.class.isAssignableFrom(t) || t.isPrimitive()) {
            return name + " is a whole number" + (e instanceof InvalidFormatException f && f.getValue() != null
                    ? ", not '" + f.getValue() + "'" : "");
        }
        return name + " is text";
    }

    private static String known(Collection<Object> ids) {
        if (ids == null || ids.isEmpty() || ids.size() > 12) {
            return "";
        }
        return " (known here: " + String.join(", ", ids.stream().map(String::valueOf).sorted().toList()) + ")";
    }

    // ------------------------------------------------------------ finding a node by the parser's path

    private static Node compose(String yaml) {
        try {
            return new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Node at(Node root, List<JsonMappingException.Reference> path) {
        Node n = root;
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null && n instanceof MappingNode map) {
                Node next = value(map, r.getFieldName());
                if (next == null) {
                    return n;
                }
                n = next;
            } else if (r.getIndex() >= 0 && n instanceof SequenceNode seq && r.getIndex() < seq.getValue().size()) {
                n = seq.getValue().get(r.getIndex());
            }
        }
        return n;
    }

    private static Node value(MappingNode map, String key) {
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return t.getValueNode();
            }
        }
        return null;
    }

    private static Node key(MappingNode map, String key) {
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return k;
            }
        }
        return null;
    }

    private static String lastField(List<JsonMappingException.Reference> path) {
        for (int i = path.size() - 1; i >= 0; i--) {
            if (path.get(i).getFieldName() != null) {
                return path.get(i).getFieldName();
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
