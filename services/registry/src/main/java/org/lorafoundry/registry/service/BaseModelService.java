package org.lorafoundry.registry.service;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.proto.v1.BaseModelRegistered;
import org.lorafoundry.registry.domain.Names;
import org.lorafoundry.registry.messaging.RegistryEventOutbox;
import org.lorafoundry.registry.persistence.BaseModelAudit;
import org.lorafoundry.registry.persistence.BaseModelRecord;
import org.lorafoundry.registry.persistence.BaseModelRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base models: inspected outside any transaction (hashing a model takes seconds), then stored, audited and announced
 * with BaseModelRegistered (key {@code base-model:<name>}) in one transaction.
 */
@ApplicationScoped
public class BaseModelService {

    private static final Logger LOG = LoggerFactory.getLogger(BaseModelService.class);

    /** What a registration did. */
    public enum Outcome {
        CREATED, EXISTING, REPLACED
    }

    public record Result(Outcome outcome, BaseModelRecord model) {
    }

    private final Transactions transactions;
    private final BaseModelRepository models;
    private final RegistryEventOutbox events;
    private final BaseModelInspector inspector;
    private final List<Path> roots;

    BaseModelService(Transactions transactions, BaseModelRepository models, RegistryEventOutbox events,
            BaseModelInspector inspector, RegistryConfig config) {
        this.transactions = transactions;
        this.models = models;
        this.events = events;
        this.inspector = inspector;
        this.roots = new ArrayList<>();
        for (String root : config.modelRoots()) {
            if (!root.isBlank()) {
                roots.add(Path.of(root.strip()).toAbsolutePath().normalize());
            }
        }
    }

    /**
     * Registers (or, with {@code replace}, replaces) a base model. The same name with the same checksum is answered
     * as EXISTING and changes nothing; another checksum is a conflict unless {@code replace}.
     */
    public Result register(String actor, String name, String location, String description, boolean replace)
            throws SQLException, IOException {
        if (!Names.isBaseModel(name)) {
            throw ApiException.badRequest("INVALID_REQUEST", "name must match " + Names.BASE_MODEL.pattern());
        }
        Path directory = directory(location);
        ModelInspection inspection;
        try {
            inspection = inspector.inspect(directory);
        } catch (BaseModelInvalidException e) {
            throw new ApiException(422, "BASE_MODEL_INVALID", e.code() + ": " + e.getMessage());
        }
        BaseModelRegistered model = BaseModelRegistered.newBuilder().setName(name)
                .setArchitecture(inspection.architecture()).setLocationUri(inspection.files().getUri())
                .setSha256(inspection.files().getManifestSha256()).setParameterCount(inspection.parameterCount())
                .setConfig(inspection.config()).setDescription(description == null ? "" : description.strip())
                .setFiles(inspection.files()).setRegisteredBy(actor).build();
        String modelType = inspection.config().getModelType();
        Result result = transactions.inTransaction(tx -> {
            Optional<BaseModelRecord> existing = models.lock(tx, name);
            if (existing.isEmpty()) {
                if (models.insert(tx, model, modelType)) {
                    models.audit(tx, new BaseModelAudit(0, name, BaseModelAudit.REGISTERED, null, model.getSha256(),
                            null, model.getLocationUri(), actor, null));
                    events.baseModelRegistered(tx, EventMetadata.newEvent("BaseModelRegistered"), model);
                    return new Result(Outcome.CREATED, models.find(tx, name).orElseThrow());
                }
                existing = models.lock(tx, name); // registered concurrently: treat as existing
            }
            BaseModelRecord current = existing.orElseThrow();
            if (!replace) {
                if (current.sha256().equals(model.getSha256())) {
                    return new Result(Outcome.EXISTING, current);
                }
                throw ApiException.conflict("BASE_MODEL_CONFLICT", "Base model '" + name + "' is registered with "
                        + "checksum " + current.sha256() + " (" + current.registered().getLocationUri() + "); this "
                        + "directory has " + model.getSha256() + ". Jobs pin the checksum, so a different model needs "
                        + "another name, or ?replace=true to replace it (audited)");
            }
            models.replace(tx, model, modelType);
            models.audit(tx, new BaseModelAudit(0, name, BaseModelAudit.REPLACED, current.sha256(), model.getSha256(),
                    current.registered().getLocationUri(), model.getLocationUri(), actor, null));
            events.baseModelRegistered(tx, EventMetadata.newEvent("BaseModelRegistered"), model);
            return new Result(Outcome.REPLACED, models.find(tx, name).orElseThrow());
        });
        if (result.outcome() != Outcome.EXISTING) {
            LOG.info("Base model {} {} by {}: {} {} parameters, sha256 {}", name, result.outcome().name().toLowerCase(),
                    actor, model.getArchitecture(), model.getParameterCount(), model.getSha256());
        }
        return result;
    }

    public List<BaseModelRecord> all() throws SQLException {
        return transactions.inTransaction(models::all);
    }

    public Optional<BaseModelRecord> find(String name) throws SQLException {
        return transactions.inTransaction(tx -> models.find(tx, name));
    }

    public List<BaseModelAudit> history(String name) throws SQLException {
        return transactions.inTransaction(tx -> models.history(tx, name));
    }

    /** A {@code file://} URI of an existing directory under one of the model roots, as a real path. */
    Path directory(String location) throws IOException {
        if (location == null || location.isBlank()) {
            throw ApiException.badRequest("INVALID_REQUEST", "location is required: a file:// URI of the model "
                    + "directory");
        }
        URI uri;
        try {
            uri = new URI(location.strip());
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("INVALID_REQUEST", "location is not a URI: " + e.getMessage());
        }
        if (!"file".equals(uri.getScheme()) || uri.getPath() == null) {
            throw ApiException.badRequest("INVALID_REQUEST", "location must be a file:// URI of a directory, e.g. "
                    + "file:///models/tiny-llama (other schemes are not supported yet)");
        }
        Path path;
        try {
            path = Path.of(uri).normalize();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("INVALID_REQUEST", "location is not a usable file:// URI: "
                    + e.getMessage());
        }
        if (!Files.isDirectory(path)) {
            throw new ApiException(422, "BASE_MODEL_INVALID", "LOCATION_INVALID: " + path + " is not a directory");
        }
        Path real = path.toRealPath();
        if (roots.stream().map(BaseModelService::real).noneMatch(real::startsWith)) {
            throw ApiException.badRequest("LOCATION_NOT_ALLOWED", real + " is outside the directories base models "
                    + "may be registered from (foundry.registry.model-roots: " + roots + ")");
        }
        return real;
    }

    /** A root as the file system resolves it (symbolic links such as /tmp -> /private/tmp), or as configured. */
    private static Path real(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root;
        }
    }
}
