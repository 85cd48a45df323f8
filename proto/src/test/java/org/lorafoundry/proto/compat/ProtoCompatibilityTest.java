package org.lorafoundry.proto.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Holds the current .proto files against the previous release (src/test/resources/descriptor-baseline.txtpb).
 *
 * <p>To accept an intended change, or to record a release, run
 * {@code ./mvnw -pl proto test -Dtest=ProtoCompatibilityTest -Dfoundry.proto.updateBaseline=true} (optionally with
 * {@code -Dfoundry.proto.release=X.Y}): the baseline file in the module's src/test/resources is rewritten and the test
 * passes. Commit the new baseline together with the .proto change.
 */
class ProtoCompatibilityTest {

  @Test
  void currentSchemaIsCompatibleWithBaseline() throws Exception {
    FileDescriptorSet current = FoundrySchema.current();
    String baselineText = readBaseline();

    if (Boolean.getBoolean(FoundrySchema.UPDATE_PROPERTY)) {
      String release = System.getProperty("foundry.proto.release");
      if (release == null || release.isBlank()) {
        release = baselineText == null ? null : FoundrySchema.releaseOf(baselineText);
      }
      Path file = FoundrySchema.baselineSourceFile();
      Files.createDirectories(file.getParent());
      Files.writeString(file, FoundrySchema.toText(current, release == null ? "unreleased" : release),
          StandardCharsets.UTF_8);
      System.out.println("[proto-compat] baseline rewritten: " + file);
      return;
    }

    assertThat(baselineText)
        .as("baseline %s is missing; create it with -D%s=true", FoundrySchema.baselineSourceFile(),
            FoundrySchema.UPDATE_PROPERTY)
        .isNotNull();
    FileDescriptorSet baseline = FoundrySchema.parse(baselineText);
    List<String> violations = SchemaCompatibility.check(baseline, current);

    if (!violations.isEmpty()) {
      StringBuilder msg = new StringBuilder()
          .append(violations.size())
          .append(" incompatible change(s) against the previous release (")
          .append(FoundrySchema.baselineSourceFile())
          .append("):\n");
      violations.forEach(v -> msg.append("  - ").append(v).append('\n'));
      msg.append("Schemas evolve only compatibly: add fields/messages/values; never remove, renumber, retype or reuse.\n")
          .append("Delete a field with `reserved <number>; reserved \"<name>\";` in its message.\n")
          .append("If the break IS intended (e.g. nothing was ever released with it), update the baseline:\n")
          .append("  ./mvnw -pl proto test -Dtest=ProtoCompatibilityTest -D")
          .append(FoundrySchema.UPDATE_PROPERTY)
          .append("=true\n")
          .append("and commit src/test/resources/").append(FoundrySchema.BASELINE_RESOURCE)
          .append(" with the change.");
      throw new AssertionError(msg.toString());
    }

    if (!FoundrySchema.parse(FoundrySchema.toText(current, "")).equals(baseline)) {
      System.out.println("[proto-compat] compatible additions not yet in the baseline; record them at the next"
          + " release with -D" + FoundrySchema.UPDATE_PROPERTY + "=true");
    }
  }

  @Test
  void baselineRoundTripsThroughTextFormat() throws Exception {
    FileDescriptorSet current = FoundrySchema.current();
    assertThat(FoundrySchema.parse(FoundrySchema.toText(current, "x"))).isEqualTo(current);
    assertThat(SchemaCompatibility.check(current, current)).isEmpty();
  }

  private static String readBaseline() throws IOException {
    try (InputStream in = ProtoCompatibilityTest.class.getClassLoader()
        .getResourceAsStream(FoundrySchema.BASELINE_RESOURCE)) {
      if (in != null) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    Path file = FoundrySchema.baselineSourceFile();
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
  }
}
