package org.lorafoundry.registry.service;

import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.ModelConfigSummary;

/**
 * What inspecting a model directory found.
 *
 * @param architecture   config.json {@code architectures[0]}, e.g. LlamaForCausalLM
 * @param config         the config summary, {@code linear_module_names} included
 * @param parameterCount sum of the element counts of every tensor in the safetensors files
 * @param files          every file (relative path, size, SHA-256) and the manifest checksum
 * @param inspector      which inspector validated it, e.g. {@code engine}
 */
public record ModelInspection(String architecture, ModelConfigSummary config, long parameterCount, DirectoryRef files,
        String inspector) {
}
