package dev.actrec.core.io;

import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import dev.actrec.core.InputFormatException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each malformed input is rejected with the right line, field and value, and a message that says why. */
class MalformedInputTest {
    private static final String H = "user,item,action,ts,watch_ms,duration_ms\n";
    private static final String OK_CSV = "1,2,view,10,0,0\n";
    private static final String OK_JSON = "{\"user\":1,\"item\":2,\"action\":\"view\",\"ts\":10}\n";
    private static final String LONG_ID = "a".repeat(257);

    static Stream<Arguments> cases() {
        return Stream.of(
                // format, input, line, field, value, fragment of the problem
                arguments(EventFormat.CSV, H + OK_CSV + "1,2,view,abc,0,0\n", 3, "ts", "abc",
                        "must be a non-negative integer (milliseconds)"),
                arguments(EventFormat.CSV, H + "\n\n1,2,view,-5,0,0\n", 4, "ts", "-5", "negative"),
                arguments(EventFormat.CSV, H + "1,2,view,9223372036854775808,0,0\n", 2, "ts",
                        "9223372036854775808", "out of range"),
                arguments(EventFormat.CSV, H + "1,2,jump,5,0,0\n", 2, "action", "jump",
                        "valid actions: impression, view, long_view"),
                arguments(EventFormat.CSV, H + ",2,view,5,0,0\n", 2, "user", "", "empty id"),
                arguments(EventFormat.CSV, H + "1,\"\",view,5,0,0\n", 2, "item", "", "empty id"),
                arguments(EventFormat.CSV, H + LONG_ID + ",2,view,5,0,0\n", 2, "user", LONG_ID,
                        "longer than 256 UTF-8 bytes"),
                arguments(EventFormat.CSV, "user,item,action,ts,foo\n" + OK_CSV, 1, "header",
                        "user,item,action,ts,foo", "unknown column 'foo'"),
                arguments(EventFormat.CSV, "user,item,action,ts,user\n", 1, "header", "user,item,action,ts,user",
                        "duplicate column 'user'"),
                arguments(EventFormat.CSV, "user,item,watch_ms,action\n", 1, "header", "user,item,watch_ms,action",
                        "missing required column 'ts'"),
                arguments(EventFormat.CSV, H + "1,2,view\n", 2, "ts", null, "missing field"),
                arguments(EventFormat.CSV, H + "1,2,view,5,2147483648,0\n", 2, "watch_ms", "2147483648",
                        "at most 2147483647"),
                arguments(EventFormat.CSV, H + "1,2,view,5,0,1.5\n", 2, "duration_ms", "1.5", "not an integer"),
                arguments(EventFormat.CSV, H + "\"ab,2,view,5,0,0\n", 2, "user", "\"ab,2,view,5,0,0",
                        "unterminated quoted field"),
                arguments(EventFormat.CSV, H + "\"a\tb\",2,view,5,0,0\n", 2, "user", "a?b", "control character"),
                arguments(EventFormat.CSV, H + "1,2,view,5,0,0,7\n", 2, null, "1,2,view,5,0,0,7", "too many fields"),
                arguments(EventFormat.CSV, H + " 1,2,view,5,0,0\n", 2, "user", " 1", "starts or ends with a space"),
                arguments(EventFormat.CSV, H + "1,2,view,,0,0\n", 2, "ts", "", "missing value"),

                arguments(EventFormat.NDJSON, OK_JSON + "{\"user\":1,\"item\":2,\n", 2, null,
                        "{\"user\":1,\"item\":2,", "bad JSON"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"item\":2,\"action\":\"view\",\"ts\":1.5}\n", 1, "ts",
                        "1.5", "not an integer"),
                arguments(EventFormat.NDJSON, "{\"usr\":1,\"item\":2,\"action\":\"view\",\"ts\":1}\n", 1, "usr", null,
                        "unknown field; valid fields: user, item, action, ts, watch_ms, duration_ms"),
                arguments(EventFormat.NDJSON, "\n" + "{\"user\":1,\"item\":2,\"action\":\"view\"}\n", 2, "ts", null,
                        "missing required field"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"item\":2,\"action\":\"view\",\"ts\":\"5\"}\n", 1, "ts",
                        "\"5\"", "wrong JSON type: must be a number, found a string"),
                arguments(EventFormat.NDJSON, "{\"user\":-1,\"item\":2,\"action\":\"view\",\"ts\":5}\n", 1, "user",
                        "-1", "negative"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"item\":123456789012345678901,\"action\":\"view\",\"ts\":5}",
                        1, "item", "123456789012345678901", "out of range"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"user\":2,\"item\":2,\"action\":\"view\",\"ts\":5}\n", 1,
                        "user", null, "duplicate field"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"item\":2,\"action\":3,\"ts\":5}\n", 1, "action", "3",
                        "must be a string"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"item\":2,\"action\":\"View\",\"ts\":5} x\n", 1, null,
                        "{\"user\":1,\"item\":2,\"action\":\"View\",\"ts\":5} x", "text after the JSON object"),
                arguments(EventFormat.NDJSON, "{\"user\":\"\",\"item\":2,\"action\":\"view\",\"ts\":5}\n", 1, "user",
                        "", "empty id"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"item\":\"a\\u0007\",\"action\":\"view\",\"ts\":5}\n", 1,
                        "item", "a?", "control character"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"item\":2,\"action\":\"like\",\"ts\":5,\"watch_ms\":1e3}\n",
                        1, "watch_ms", "1e3", "not an integer"),
                arguments(EventFormat.NDJSON, "[1,2,\"view\",5]\n", 1, null, "[1,2,\"view\",5]", "JSON object"),
                arguments(EventFormat.NDJSON, "{\"user\":true,\"item\":2,\"action\":\"view\",\"ts\":5}\n", 1, "user",
                        "true", "found a boolean"),
                arguments(EventFormat.NDJSON, "{\"user\":1,\"item\":2,\"action\":\"jump\",\"ts\":5}\n", 1, "action",
                        "jump", "unknown action; valid actions:"),

                arguments(EventFormat.SEQUENCES, "1 2 3\n2 4 " + LONG_ID + " 5\n", 2, "item", LONG_ID,
                        "longer than 256"),
                arguments(EventFormat.SEQUENCES, "1 2 3\n\n3 4 \u0001x\n", 3, "item", "?x", "control character"),
                arguments(EventFormat.SEQUENCES, "\u0002 4 5\n", 1, "user", "?", "control character"));
    }

    @ParameterizedTest(name = "[{index}] {0} line {2} field {3}")
    @MethodSource("cases")
    void rejects(EventFormat format, String input, int line, String field, String value, String problem) {
        byte[] data = input.getBytes(StandardCharsets.UTF_8);
        InputFormatException e = assertThrows(InputFormatException.class, () -> {
            try (EventReader r = EventReaders.open(new ByteArrayInputStream(data), "events." + format.cliName(),
                    format)) {
                EventBatch b = new EventBatch();
                while (r.read(b, 1000) > 0) {
                    b.clear();
                }
            }
        });
        assertEquals("events." + format.cliName(), e.source());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(value, e.value(), e.getMessage());
        assertTrue(e.getMessage().contains(problem), () -> "'" + problem + "' not in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("events." + format.cliName() + ":" + line + ": "), e.getMessage());
    }
}
