package org.lorafoundry.registry.service;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * {@code foundry.registry.*}. Every key can be overridden by its environment variable
 * ({@code foundry.registry.model-roots} = {@code FOUNDRY_REGISTRY_MODEL_ROOTS}).
 */
@ConfigMapping(prefix = "foundry.registry")
public interface RegistryConfig {

    /** Directories under which a base model location ({@code file://}) may lie. */
    List<String> modelRoots();

    /**
     * Teams whose jobs may move {@code production} through {@code promote_to_alias} when their gate passes; {@code *}
     * for every team. Absent: none (production is then moved by maintainers only).
     */
    Optional<List<String>> autoPromoteProductionTeams();
}
