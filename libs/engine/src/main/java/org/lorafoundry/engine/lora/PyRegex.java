package org.lorafoundry.engine.lora;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Python {@code re} patterns as PEFT writes them, compiled for Java: the syntax common to both passes unchanged;
 * Python's named groups {@code (?P<name>...)} and back references {@code (?P=name)} are rewritten.
 */
final class PyRegex {
    private PyRegex() {
    }

    static String toJava(String python) {
        return python.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
    }

    static Pattern compile(String python, String what) {
        try {
            return Pattern.compile(toJava(python));
        } catch (PatternSyntaxException e) {
            throw new LoraConfigException(what + " '" + python + "' is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** {@code re.fullmatch(pattern, s)}. */
    static boolean fullMatch(String python, String s, String what) {
        return compile(python, what).matcher(s).matches();
    }
}
