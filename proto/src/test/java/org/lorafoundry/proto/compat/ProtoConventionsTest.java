package org.lorafoundry.proto.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.TextFormat;
import com.google.protobuf.Timestamp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.JobCommand;

/** Guards the conventions every foundry contract follows (see proto/README.md). */
class ProtoConventionsTest {

  private static final String JAVA_PACKAGE = "org.lorafoundry.proto.v1";

  /** DESIGN.md "Topics": the payload messages of each topic's envelope, in oneof order. */
  private static final Map<String, List<String>> PAYLOADS = Map.of(
      "foundry.jobs.commands.<team>", List.of("SubmitTrainingJob", "CancelJob"),
      "foundry.jobs.events", List.of("JobAccepted", "JobRejected", "JobStateChanged"),
      "foundry.datasets.commands.<team>", List.of("IngestDataset"),
      "foundry.datasets.events", List.of("DatasetIngested", "DatasetRejected"),
      "foundry.training.tasks", List.of("TrainingTask"),
      "foundry.training.control", List.of("CancelTraining"),
      "foundry.training.events", List.of("TrainingStarted", "TrainingProgress", "CheckpointSaved",
          "TrainingSucceeded", "TrainingFailed", "TrainingCancelled"),
      "foundry.workers.heartbeats", List.of("WorkerHeartbeat"),
      "foundry.evaluation.events", List.of("EvaluationStarted", "EvaluationCompleted", "EvaluationFailed"),
      "foundry.registry.events", List.of("AdapterVersionRegistered", "AliasChanged", "BaseModelRegistered"));

  @Test
  void everyTopicHasOneEnvelope() {
    assertThat(FoundrySchema.ENVELOPES.keySet()).containsExactlyInAnyOrderElementsOf(PAYLOADS.keySet());
  }

  @Test
  void envelopesHaveOccurredAtAsField1AndExactlyOneOneofFrom10() {
    FoundrySchema.ENVELOPES.forEach((topic, envelope) -> {
      String what = envelope.getFullName() + " (" + topic + ")";

      FieldDescriptor occurredAt = envelope.findFieldByNumber(1);
      assertThat(occurredAt).as("%s field 1", what).isNotNull();
      assertThat(occurredAt.getName()).as("%s field 1 name", what).isEqualTo("occurred_at");
      assertThat(occurredAt.getType()).as("%s occurred_at type", what).isEqualTo(FieldDescriptor.Type.MESSAGE);
      assertThat(occurredAt.getMessageType()).as("%s occurred_at type", what).isEqualTo(Timestamp.getDescriptor());
      assertThat(occurredAt.isRepeated()).as("%s occurred_at repeated", what).isFalse();
      assertThat(occurredAt.getRealContainingOneof()).as("%s occurred_at in a oneof", what).isNull();

      List<OneofDescriptor> oneofs = envelope.getRealOneofs();
      assertThat(oneofs).as("%s real oneofs", what).hasSize(1);
      List<FieldDescriptor> members = oneofs.get(0).getFields();
      assertThat(members).as("%s oneof members", what).isNotEmpty();
      assertThat(members.stream().mapToInt(FieldDescriptor::getNumber).min().orElseThrow())
          .as("%s first oneof member number", what).isEqualTo(10);

      for (FieldDescriptor m : members) {
        assertThat(m.getNumber()).as("%s.%s number", what, m.getName()).isGreaterThanOrEqualTo(10);
        assertThat(m.getType()).as("%s.%s type", what, m.getName()).isEqualTo(FieldDescriptor.Type.MESSAGE);
        // foundry-event-type is the payload's simple message name; the member name is its snake_case.
        assertThat(m.getName()).as("%s member name", what).isEqualTo(snake(m.getMessageType().getName()));
        assertThat(m.getMessageType().getFile().getPackage()).isEqualTo("foundry.v1");
      }
      assertThat(members.stream().map(f -> f.getMessageType().getName()).collect(Collectors.toList()))
          .as("%s payloads (DESIGN.md Topics table)", what)
          .containsExactlyElementsOf(PAYLOADS.get(topic));
    });
  }

  @Test
  void everyFileUsesTheFoundryPackageAndJavaOptions() {
    for (FileDescriptor f : FoundrySchema.FILES) {
      assertThat(f.getName()).startsWith("foundry/v1/");
      assertThat(f.getPackage()).as("%s package", f.getName()).isEqualTo("foundry.v1");
      assertThat(f.toProto().getSyntax()).as("%s syntax", f.getName()).isEqualTo("proto3");
      assertThat(f.getOptions().getJavaPackage()).as("%s java_package", f.getName()).isEqualTo(JAVA_PACKAGE);
      assertThat(f.getOptions().getJavaMultipleFiles()).as("%s java_multiple_files", f.getName()).isTrue();
    }
  }

  @Test
  void everyProtoSourceFileIsKnownAndDeclaresTheJavaPackage() throws IOException {
    Path root = FoundrySchema.moduleDir().resolve("src/main/proto");
    List<Path> sources;
    try (Stream<Path> s = Files.walk(root)) {
      sources = s.filter(p -> p.toString().endsWith(".proto")).sorted().collect(Collectors.toList());
    }
    assertThat(sources).isNotEmpty();
    List<String> known = FoundrySchema.FILES.stream().map(FileDescriptor::getName).collect(Collectors.toList());
    for (Path p : sources) {
      String name = root.relativize(p).toString().replace('\\', '/');
      assertThat(known).as("%s must be listed in FoundrySchema.FILES (so the compatibility test covers it)", name)
          .contains(name);
      assertThat(Files.readString(p, StandardCharsets.UTF_8))
          .as("%s declares java_package", name)
          .contains("option java_package = \"" + JAVA_PACKAGE + "\";");
    }
    assertThat(sources).hasSameSizeAs(known);
  }

  @Test
  void readmeExampleCommandParses() throws IOException {
    Path example = FoundrySchema.moduleDir().resolve("examples/submit-training-job.txtpb");
    JobCommand.Builder b = JobCommand.newBuilder();
    TextFormat.getParser().merge(Files.readString(example, StandardCharsets.UTF_8), b);
    JobCommand command = b.build();
    assertThat(command.getCommandCase()).isEqualTo(JobCommand.CommandCase.SUBMIT_TRAINING_JOB);
    assertThat(command.getSubmitTrainingJob().getSpec().getGatePolicy().getThresholdsList()).isNotEmpty();
    assertThat(JobCommand.parseFrom(command.toByteArray())).isEqualTo(command);
  }

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
