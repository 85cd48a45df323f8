package org.lorafoundry.proto.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Proves the checker catches each kind of breaking change (and accepts the legal ones) on mutated real descriptors. */
class SchemaCompatibilityTest {

  private final FileDescriptorSet base = FoundrySchema.current();

  @Test
  void identicalSchemasAreCompatible() {
    assertThat(SchemaCompatibility.check(base, base)).isEmpty();
  }

  @Test
  void additionsAreCompatible() {
    FileDescriptorSet cur = message(base, "CancelJob", m -> m
        .addField(field("requested_by", 3, FieldDescriptorProto.Type.TYPE_STRING))
        .addNestedType(DescriptorProto.newBuilder().setName("Inner")));
    cur = enumType(cur, "JobState", e -> e.addValue(value("JOB_STATE_PAUSED", 42)));
    cur = file(cur, "foundry/v1/jobs.proto", f -> f
        .addMessageType(DescriptorProto.newBuilder().setName("BrandNew"))
        .addEnumType(EnumDescriptorProto.newBuilder().setName("BrandNewKind").addValue(value("BRAND_NEW_KIND_UNSPECIFIED", 0))));
    assertThat(SchemaCompatibility.check(base, cur)).isEmpty();
  }

  @Test
  void removedFieldIsReported() {
    FileDescriptorSet cur = message(base, "CancelJob", m -> removeField(m, "reason"));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.CancelJob.reason (#2) was removed; to delete a field, reserve its number and name: "
            + "reserved 2; reserved \"reason\";");
  }

  @Test
  void fieldDeletedWithReservedNumberAndNameIsCompatible() {
    FileDescriptorSet cur = message(base, "CancelJob", m -> {
      removeField(m, "reason");
      m.addReservedRange(DescriptorProto.ReservedRange.newBuilder().setStart(2).setEnd(3));
      m.addReservedName("reason");
    });
    assertThat(SchemaCompatibility.check(base, cur)).isEmpty();
  }

  @Test
  void fieldDeletedWithOnlyItsNumberReservedIsReported() {
    FileDescriptorSet cur = message(base, "CancelJob", m -> {
      removeField(m, "reason");
      m.addReservedRange(DescriptorProto.ReservedRange.newBuilder().setStart(2).setEnd(3));
    });
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.CancelJob.reason (#2) was removed but only its number is reserved; also add: "
            + "reserved \"reason\";");
  }

  @Test
  void renumberedFieldIsReported() {
    FileDescriptorSet cur = message(base, "CancelJob", m -> fieldNamed(m, "reason").setNumber(5));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.CancelJob.reason was renumbered from #2 to #5");
  }

  @Test
  void reusedFieldNumberIsReported() {
    FileDescriptorSet cur = message(base, "CancelJob", m -> fieldNamed(m, "reason").setName("why"));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field number #2 of foundry.v1.CancelJob was reused: was \"reason\", now \"why\"");
  }

  @Test
  void changedScalarTypeIsReported() {
    FileDescriptorSet cur = message(base, "CancelJob",
        m -> fieldNamed(m, "reason").setType(FieldDescriptorProto.Type.TYPE_BYTES));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.CancelJob.reason (#2) changed type from string to bytes");
  }

  @Test
  void changedEnumOrMessageTypeNameIsReported() {
    FileDescriptorSet cur = message(base, "JobStateChanged",
        m -> fieldNamed(m, "to_state").setTypeName(".foundry.v1.TrainingErrorCode"));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.JobStateChanged.to_state (#4) changed type from foundry.v1.JobState"
            + " to foundry.v1.TrainingErrorCode");
  }

  @Test
  void singularMadeRepeatedIsReported() {
    FileDescriptorSet cur = message(base, "CancelJob",
        m -> fieldNamed(m, "reason").setLabel(FieldDescriptorProto.Label.LABEL_REPEATED));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.CancelJob.reason (#2) changed cardinality from singular to repeated");
  }

  @Test
  void droppedExplicitPresenceIsReported() {
    FileDescriptorSet cur = message(base, "Hyperparameters",
        m -> fieldNamed(m, "learning_rate").clearProto3Optional().clearOneofIndex());
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.Hyperparameters.learning_rate (#5) changed cardinality from optional to singular");
  }

  @Test
  void changedMapValueTypeIsReported() {
    FileDescriptorSet cur = message(base, "LoraConfig", m -> {
      DescriptorProto.Builder entry = m.getNestedTypeBuilderList().stream()
          .filter(n -> n.getName().equals("RankPatternEntry")).findFirst().orElseThrow();
      fieldNamed(entry, "value").setType(FieldDescriptorProto.Type.TYPE_INT64);
    });
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.LoraConfig.rank_pattern (#13) changed type from map<string, int32> to map<string, int64>");
  }

  @Test
  void mapMadePlainRepeatedIsReported() {
    FileDescriptorSet cur = message(base, "LoraConfig", m -> m.getNestedTypeBuilderList().stream()
        .filter(n -> n.getName().equals("RankPatternEntry")).findFirst().orElseThrow()
        .getOptionsBuilder().setMapEntry(false));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.LoraConfig.rank_pattern (#13) changed cardinality from map to repeated");
  }

  @Test
  void fieldsMovedOutOfOrIntoAOneofAreReported() {
    FileDescriptorSet cur = message(base, "JobCommand", m -> {
      fieldNamed(m, "cancel_job").clearOneofIndex();
      fieldNamed(m, "occurred_at").setOneofIndex(0);
    });
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.JobCommand.occurred_at (#1) moved into oneof \"command\"",
        "field foundry.v1.JobCommand.cancel_job (#11) moved out of oneof \"command\"");
  }

  @Test
  void removedMessageIsReported() {
    FileDescriptorSet cur = file(base, "foundry/v1/jobs.proto", f -> removeMessage(f, "CancelJob"));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly("message foundry.v1.CancelJob was removed");
  }

  @Test
  void removedMessageWithNestedTypesIsReportedOnce() {
    FileDescriptorSet withNested = message(base, "CancelJob", m -> m
        .addNestedType(DescriptorProto.newBuilder().setName("Inner")
            .addField(field("x", 1, FieldDescriptorProto.Type.TYPE_INT32)))
        .addEnumType(EnumDescriptorProto.newBuilder().setName("Kind").addValue(value("KIND_UNSPECIFIED", 0))));
    FileDescriptorSet cur = file(withNested, "foundry/v1/jobs.proto", f -> removeMessage(f, "CancelJob"));
    assertThat(SchemaCompatibility.check(withNested, cur)).containsExactly("message foundry.v1.CancelJob was removed");
  }

  @Test
  void removedEnumIsReported() {
    FileDescriptorSet cur = file(base, "foundry/v1/jobs.proto", f -> {
      int i = indexOf(f.getEnumTypeList().stream().map(EnumDescriptorProto::getName).toList(), "RejectionCode");
      f.removeEnumType(i);
    });
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly("enum foundry.v1.RejectionCode was removed");
  }

  @Test
  void removedEnumValueIsReported() {
    FileDescriptorSet cur = enumType(base, "JobState", e -> removeValue(e, "JOB_STATE_CANCELLED"));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "enum value foundry.v1.JobState.JOB_STATE_CANCELLED (= 11) was removed; to delete an enum value, reserve its"
            + " number and name: reserved 11; reserved \"JOB_STATE_CANCELLED\";");
  }

  @Test
  void enumValueDeletedWithReservedNumberAndNameIsCompatible() {
    FileDescriptorSet cur = enumType(base, "JobState", e -> {
      removeValue(e, "JOB_STATE_CANCELLED");
      e.addReservedRange(EnumDescriptorProto.EnumReservedRange.newBuilder().setStart(11).setEnd(11));
      e.addReservedName("JOB_STATE_CANCELLED");
    });
    assertThat(SchemaCompatibility.check(base, cur)).isEmpty();
  }

  @Test
  void renumberedEnumValueIsReported() {
    FileDescriptorSet cur = enumType(base, "JobState", e -> valueNamed(e, "JOB_STATE_CANCELLED").setNumber(12));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "enum value foundry.v1.JobState.JOB_STATE_CANCELLED was renumbered from 11 to 12");
  }

  @Test
  void reusedEnumNumberIsReported() {
    FileDescriptorSet cur = enumType(base, "JobState",
        e -> valueNamed(e, "JOB_STATE_CANCELLED").setName("JOB_STATE_ABORTED"));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "enum value number 11 of foundry.v1.JobState was reused: was \"JOB_STATE_CANCELLED\", now \"JOB_STATE_ABORTED\"");
  }

  @Test
  void usingANumberOrNameReservedInThePreviousReleaseIsReported() {
    FileDescriptorSet previous = message(base, "CancelJob", m -> m
        .addReservedRange(DescriptorProto.ReservedRange.newBuilder().setStart(7).setEnd(9))
        .addReservedName("note"));
    FileDescriptorSet cur = message(base, "CancelJob",
        m -> m.addField(field("note", 8, FieldDescriptorProto.Type.TYPE_STRING)));
    assertThat(SchemaCompatibility.check(previous, cur)).containsExactly(
        "field foundry.v1.CancelJob.note (#8) uses a field number reserved in the previous release",
        "field foundry.v1.CancelJob.note (#8) uses a field name reserved in the previous release");
  }

  @Test
  void everyViolationIsListed() {
    FileDescriptorSet cur = message(base, "CancelJob", m -> {
      removeField(m, "reason");
      fieldNamed(m, "job_id").setNumber(3);
    });
    cur = enumType(cur, "Verdict", e -> removeValue(e, "VERDICT_FAILED"));
    assertThat(SchemaCompatibility.check(base, cur)).containsExactly(
        "field foundry.v1.CancelJob.job_id was renumbered from #1 to #3",
        "field foundry.v1.CancelJob.reason (#2) was removed; to delete a field, reserve its number and name: "
            + "reserved 2; reserved \"reason\";",
        "enum value foundry.v1.Verdict.VERDICT_FAILED (= 2) was removed; to delete an enum value, reserve its number"
            + " and name: reserved 2; reserved \"VERDICT_FAILED\";");
  }

  // ---- mutation helpers (top-level messages and enums of the foundry.v1 files) ----

  private static FileDescriptorSet file(FileDescriptorSet set, String fileName, Consumer<FileDescriptorProto.Builder> c) {
    FileDescriptorSet.Builder b = set.toBuilder();
    FileDescriptorProto.Builder f = b.getFileBuilderList().stream()
        .filter(x -> x.getName().equals(fileName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no file " + fileName));
    c.accept(f);
    return b.build();
  }

  private static FileDescriptorSet message(FileDescriptorSet set, String name, Consumer<DescriptorProto.Builder> c) {
    FileDescriptorSet.Builder b = set.toBuilder();
    DescriptorProto.Builder m = b.getFileBuilderList().stream()
        .flatMap(f -> f.getMessageTypeBuilderList().stream())
        .filter(x -> x.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no message " + name));
    c.accept(m);
    return b.build();
  }

  private static FileDescriptorSet enumType(FileDescriptorSet set, String name, Consumer<EnumDescriptorProto.Builder> c) {
    FileDescriptorSet.Builder b = set.toBuilder();
    EnumDescriptorProto.Builder e = b.getFileBuilderList().stream()
        .flatMap(f -> f.getEnumTypeBuilderList().stream())
        .filter(x -> x.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no enum " + name));
    c.accept(e);
    return b.build();
  }

  private static FieldDescriptorProto.Builder fieldNamed(DescriptorProto.Builder m, String name) {
    return m.getFieldBuilderList().stream().filter(f -> f.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no field " + name + " in " + m.getName()));
  }

  private static void removeField(DescriptorProto.Builder m, String name) {
    m.removeField(indexOf(m.getFieldList().stream().map(FieldDescriptorProto::getName).toList(), name));
  }

  private static void removeMessage(FileDescriptorProto.Builder f, String name) {
    f.removeMessageType(indexOf(f.getMessageTypeList().stream().map(DescriptorProto::getName).toList(), name));
  }

  private static com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto.Builder valueNamed(
      EnumDescriptorProto.Builder e, String name) {
    return e.getValueBuilderList().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no value " + name));
  }

  private static void removeValue(EnumDescriptorProto.Builder e, String name) {
    e.removeValue(indexOf(e.getValueList().stream()
        .map(com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto::getName).toList(), name));
  }

  private static int indexOf(List<String> names, String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no " + name + " in " + names);
    }
    return i;
  }

  private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type) {
    return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).build();
  }

  private static com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto value(String name, int number) {
    return com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto.newBuilder()
        .setName(name).setNumber(number).build();
  }
}
