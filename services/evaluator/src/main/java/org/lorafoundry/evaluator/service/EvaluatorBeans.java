package org.lorafoundry.evaluator.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.runtime.StartupEvent;

import org.lorafoundry.evaluator.config.DefaultPolicies;
import org.lorafoundry.evaluator.config.EvaluatorConfig;
import org.lorafoundry.evaluator.domain.TeamDefaultPolicies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The team default policies, read and checked once from {@code foundry.evaluator.default-policies}. */
@ApplicationScoped
public class EvaluatorBeans {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluatorBeans.class);

    @Produces
    @Singleton
    TeamDefaultPolicies teamDefaultPolicies(EvaluatorConfig config) {
        return DefaultPolicies.from(config.defaultPolicies());
    }

    /** Reads the policies at start-up, so a broken one stops the service instead of failing jobs later. */
    void checkAtStartup(@Observes StartupEvent event, TeamDefaultPolicies policies) {
        LOG.info("Default gate policies for {}", policies.byTeam().isEmpty() ? "no team" : policies.byTeam().keySet());
    }
}
