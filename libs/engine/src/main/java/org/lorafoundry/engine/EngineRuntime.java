package org.lorafoundry.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The one place that starts DJL's PyTorch engine. Before the first start it makes DJL offline and silent unless the
 * caller decided otherwise ({@code DJL_OFFLINE} / {@code ai.djl.offline}, {@code OPT_OUT_TRACKING}): without that, engine
 * start and tokenizer creation try to reach a cloud metadata address. The CPU libtorch comes from the classpath
 * ({@code pytorch-native-cpu}); never set {@code PYTORCH_VERSION}, which makes DJL download one.
 */
public final class EngineRuntime {
    /** DJL's name of the PyTorch engine. */
    public static final String ENGINE_NAME = "PyTorch";

    private EngineRuntime() {
    }

    /** Sets DJL's offline and no-telemetry defaults where neither the environment nor a system property chose. */
    public static synchronized void configureDefaults() {
        defaultTo("DJL_OFFLINE", "ai.djl.offline", "true");
        defaultTo("OPT_OUT_TRACKING", "OPT_OUT_TRACKING", "true");
    }

    private static void defaultTo(String env, String property, String value) {
        if (System.getenv(env) == null && System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** The PyTorch engine, started on first use. */
    public static Engine engine() {
        configureDefaults();
        return Engine.getEngine(ENGINE_NAME);
    }

    /** A new root manager on the PyTorch engine's default device (CPU here). Close it to free everything it owns. */
    public static NDManager newManager() {
        return engine().newBaseManager();
    }
}
