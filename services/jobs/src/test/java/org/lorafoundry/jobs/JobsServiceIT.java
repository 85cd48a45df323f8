package org.lorafoundry.jobs;

import org.lorafoundry.testkit.FoundryTestResource;
import org.lorafoundry.testkit.ServiceSkeletonContract;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The jobs service keeps the operational contract of every service (health, metrics, OpenAPI, own schema). */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class JobsServiceIT extends ServiceSkeletonContract {
}
