package org.lorafoundry.engine.data;

import com.fasterxml.jackson.databind.JsonNode;

/** The JSONL row formats, detected from a row's keys (the first that applies, in this order). */
public enum DataFormat {
    /** {@code {"messages": [{"role": ..., "content": ..., "weight": 0|1}, ...]}}: loss on assistant turns only. */
    CHAT,
    /** {@code {"prompt": ..., "completion": ...}}: loss on the completion (and its EOS) only. */
    PROMPT_COMPLETION,
    /** {@code {"text": ...}}: loss on every token. */
    TEXT;

    /** The format of one row, or null when it has none of the keys. */
    public static DataFormat detect(JsonNode row) {
        if (row == null || !row.isObject()) {
            return null;
        }
        if (row.has("messages")) {
            return CHAT;
        }
        if (row.has("prompt") && row.has("completion")) {
            return PROMPT_COMPLETION;
        }
        if (row.has("text")) {
            return TEXT;
        }
        return null;
    }
}
