package org.lorafoundry.platform.messaging;

import java.util.Map;

/**
 * Settings of one consumer or share group of {@code infra/topics.conf} (set with Admin on the GROUP config resource;
 * the group need not exist yet).
 */
public record GroupDefinition(String groupId, Map<String, String> configs) {

    public GroupDefinition {
        configs = Map.copyOf(configs);
    }
}
