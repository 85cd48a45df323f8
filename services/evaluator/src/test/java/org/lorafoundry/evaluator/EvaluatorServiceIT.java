package org.lorafoundry.evaluator;

import org.lorafoundry.testkit.FoundryTestResource;
import org.lorafoundry.testkit.ServiceSkeletonContract;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The evaluator service starts against real Kafka and PostgreSQL and keeps the operational contract of every service. */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class EvaluatorServiceIT extends ServiceSkeletonContract {
}
