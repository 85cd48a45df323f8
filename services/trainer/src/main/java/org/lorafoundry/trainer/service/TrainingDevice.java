package org.lorafoundry.trainer.service;

import java.lang.management.ManagementFactory;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

import org.jboss.logging.Logger;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.trainer.config.TrainerConfig;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;

/**
 * The device this worker trains on, chosen once at start-up from {@code foundry.trainer.device}: {@code cpu} (the
 * default), {@code cuda} (refuses to start without a GPU) or {@code auto}. The start-up log states which, and every
 * heartbeat carries it.
 */
@ApplicationScoped
public class TrainingDevice {

    private static final Logger LOG = Logger.getLogger(TrainingDevice.class);

    private final TrainerConfig config;
    private volatile Device device;
    private volatile String description = "cpu";
    private volatile long memoryBytes;
    private volatile String engineVersion = "unknown";

    TrainingDevice(TrainerConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        resolve();
    }

    synchronized void resolve() {
        if (device != null) {
            return;
        }
        if (config.threads() > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(config.threads()));
        }
        Engine engine = EngineRuntime.engine();
        int gpus = engine.getGpuCount();
        String wanted = config.device().toLowerCase(Locale.ROOT);
        switch (wanted) {
            case "cpu" -> device = Device.cpu();
            case "cuda", "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalStateException("foundry.trainer.device=cuda but PyTorch sees no GPU here "
                            + "(CPU natives on the classpath, or no CUDA driver); use cpu or auto");
                }
                device = Device.gpu();
            }
            case "auto" -> device = gpus > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalStateException("foundry.trainer.device must be cpu, cuda or auto, got '"
                    + config.device() + "'");
        }
        engineVersion = "foundry-engine " + version() + " (PyTorch " + engine.getVersion() + ")";
        if (device.isGpu()) {
            description = "cuda:" + device.getDeviceId();
            memoryBytes = CudaUtils.getGpuMemory(device).getMax();
        } else {
            description = "cpu";
            memoryBytes = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
                    .getTotalMemorySize();
        }
        LOG.infof("training device: %s (%s requested; %d GPU(s) visible to PyTorch), %s", description, wanted, gpus,
                engineVersion);
    }

    public Device device() {
        resolve();
        return device;
    }

    public String description() {
        return description;
    }

    public long memoryBytes() {
        return memoryBytes;
    }

    public String engineVersion() {
        return engineVersion;
    }

    private static String version() {
        String version = EngineRuntime.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
