package org.lorafoundry.proto.compat;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Compares two versions of a schema (the previous release's descriptors and the current ones) and lists every change
 * that breaks compatibility, as one human-readable sentence each.
 *
 * <p>Breaking: a message or enum removed; a field removed without reserving both its number and its name; a field
 * renumbered; a field number reused with another name; a field's type (or message/enum type name, or map key/value
 * types) changed; a field's cardinality changed (singular, {@code optional}, repeated, map); a field moved into, out of
 * or between oneofs; a number or name reserved in the previous release used again; an enum value removed (unless
 * reserved), renumbered, or its number reused with another name. Adding messages, enums, fields and values is fine.
 *
 * <p>Names are full protobuf names without the leading dot (e.g. {@code foundry.v1.JobSpec}).
 */
public final class SchemaCompatibility {

  private SchemaCompatibility() {
  }

  /** Every breaking change from {@code baseline} to {@code current}, in baseline declaration order; empty if none. */
  public static List<String> check(FileDescriptorSet baseline, FileDescriptorSet current) {
    Index base = new Index(baseline);
    Index cur = new Index(current);
    List<String> violations = new ArrayList<>();

    for (Map.Entry<String, MessageInfo> e : base.messages.entrySet()) {
      String name = e.getKey();
      MessageInfo b = e.getValue();
      if (b.isMapEntry()) {
        continue; // compared through the map field that owns it
      }
      MessageInfo c = cur.messages.get(name);
      if (c == null) {
        if (!base.messages.containsKey(b.parent) || cur.messages.containsKey(b.parent)) {
          violations.add("message " + name + " was removed");
        }
        continue;
      }
      compareMessages(name, b.proto, c.proto, base, cur, violations);
    }

    for (Map.Entry<String, EnumInfo> e : base.enums.entrySet()) {
      String name = e.getKey();
      EnumInfo b = e.getValue();
      EnumInfo c = cur.enums.get(name);
      if (c == null) {
        if (!base.messages.containsKey(b.parent) || cur.messages.containsKey(b.parent)) {
          violations.add("enum " + name + " was removed");
        }
        continue;
      }
      compareEnums(name, b.proto, c.proto, violations);
    }
    return violations;
  }

  private static void compareMessages(String name, DescriptorProto b, DescriptorProto c, Index base, Index cur,
      List<String> out) {
    Map<Integer, FieldDescriptorProto> curByNumber = new LinkedHashMap<>();
    Map<String, FieldDescriptorProto> curByName = new LinkedHashMap<>();
    for (FieldDescriptorProto f : c.getFieldList()) {
      curByNumber.put(f.getNumber(), f);
      curByName.put(f.getName(), f);
    }

    for (FieldDescriptorProto bf : b.getFieldList()) {
      String field = "field " + name + "." + bf.getName();
      FieldDescriptorProto cf = curByNumber.get(bf.getNumber());
      FieldDescriptorProto sameName = curByName.get(bf.getName());
      if (cf == null) {
        if (sameName != null) {
          out.add(field + " was renumbered from #" + bf.getNumber() + " to #" + sameName.getNumber());
        } else {
          boolean numberReserved = isReservedNumber(c, bf.getNumber());
          boolean nameReserved = c.getReservedNameList().contains(bf.getName());
          String reserveNumber = "reserved " + bf.getNumber() + ";";
          String reserveName = "reserved \"" + bf.getName() + "\";";
          if (!numberReserved && !nameReserved) {
            out.add(field + " (#" + bf.getNumber() + ") was removed; to delete a field, reserve its number and name: "
                + reserveNumber + " " + reserveName);
          } else if (!nameReserved) {
            out.add(field + " (#" + bf.getNumber() + ") was removed but only its number is reserved; also add: "
                + reserveName);
          } else if (!numberReserved) {
            out.add(field + " (#" + bf.getNumber() + ") was removed but only its name is reserved; also add: "
                + reserveNumber);
          }
        }
        continue;
      }
      if (!cf.getName().equals(bf.getName())) {
        out.add("field number #" + bf.getNumber() + " of " + name + " was reused: was \"" + bf.getName()
            + "\", now \"" + cf.getName() + "\"");
        if (sameName != null) {
          out.add(field + " was renumbered from #" + bf.getNumber() + " to #" + sameName.getNumber());
        }
        continue;
      }
      String where = field + " (#" + bf.getNumber() + ")";
      String bCard = cardinality(base, bf);
      String cCard = cardinality(cur, cf);
      boolean cardinalityChanged = !bCard.equals(cCard);
      if (cardinalityChanged) {
        out.add(where + " changed cardinality from " + bCard + " to " + cCard);
      }
      boolean mapInvolved = bCard.equals("map") || cCard.equals("map");
      String bType = typeOf(base, bf);
      String cType = typeOf(cur, cf);
      if (!bType.equals(cType) && !(cardinalityChanged && mapInvolved)) {
        out.add(where + " changed type from " + bType + " to " + cType);
      }
      String bOneof = oneofOf(b, bf);
      String cOneof = oneofOf(c, cf);
      if (!Objects.equals(bOneof, cOneof)) {
        if (bOneof == null) {
          out.add(where + " moved into oneof \"" + cOneof + "\"");
        } else if (cOneof == null) {
          out.add(where + " moved out of oneof \"" + bOneof + "\"");
        } else {
          out.add(where + " moved from oneof \"" + bOneof + "\" to oneof \"" + cOneof + "\"");
        }
      }
    }

    // Numbers and names the previous release reserved must stay unused.
    for (FieldDescriptorProto cf : c.getFieldList()) {
      if (isReservedNumber(b, cf.getNumber())) {
        out.add("field " + name + "." + cf.getName() + " (#" + cf.getNumber()
            + ") uses a field number reserved in the previous release");
      }
      if (b.getReservedNameList().contains(cf.getName())) {
        out.add("field " + name + "." + cf.getName() + " (#" + cf.getNumber()
            + ") uses a field name reserved in the previous release");
      }
    }
  }

  private static void compareEnums(String name, EnumDescriptorProto b, EnumDescriptorProto c, List<String> out) {
    Map<String, EnumValueDescriptorProto> curByName = new LinkedHashMap<>();
    Map<Integer, EnumValueDescriptorProto> curByNumber = new LinkedHashMap<>();
    for (EnumValueDescriptorProto v : c.getValueList()) {
      curByName.put(v.getName(), v);
      curByNumber.putIfAbsent(v.getNumber(), v);
    }
    Map<String, EnumValueDescriptorProto> baseByName = new LinkedHashMap<>();
    for (EnumValueDescriptorProto v : b.getValueList()) {
      baseByName.put(v.getName(), v);
    }
    for (EnumValueDescriptorProto bv : b.getValueList()) {
      String value = "enum value " + name + "." + bv.getName();
      EnumValueDescriptorProto cv = curByName.get(bv.getName());
      if (cv != null) {
        if (cv.getNumber() != bv.getNumber()) {
          out.add(value + " was renumbered from " + bv.getNumber() + " to " + cv.getNumber());
        }
        continue;
      }
      EnumValueDescriptorProto sameNumber = curByNumber.get(bv.getNumber());
      if (sameNumber != null && !baseByName.containsKey(sameNumber.getName())) {
        out.add("enum value number " + bv.getNumber() + " of " + name + " was reused: was \"" + bv.getName()
            + "\", now \"" + sameNumber.getName() + "\"");
        continue;
      }
      boolean numberReserved = isReservedEnumNumber(c, bv.getNumber());
      boolean nameReserved = c.getReservedNameList().contains(bv.getName());
      String reserveNumber = "reserved " + bv.getNumber() + ";";
      String reserveName = "reserved \"" + bv.getName() + "\";";
      if (!numberReserved && !nameReserved) {
        out.add(value + " (= " + bv.getNumber() + ") was removed; to delete an enum value, reserve its number and name: "
            + reserveNumber + " " + reserveName);
      } else if (!nameReserved) {
        out.add(value + " (= " + bv.getNumber() + ") was removed but only its number is reserved; also add: "
            + reserveName);
      } else if (!numberReserved) {
        out.add(value + " (= " + bv.getNumber() + ") was removed but only its name is reserved; also add: "
            + reserveNumber);
      }
    }
    for (EnumValueDescriptorProto cv : c.getValueList()) {
      if (isReservedEnumNumber(b, cv.getNumber())) {
        out.add("enum value " + name + "." + cv.getName() + " (= " + cv.getNumber()
            + ") uses a number reserved in the previous release");
      }
      if (b.getReservedNameList().contains(cv.getName())) {
        out.add("enum value " + name + "." + cv.getName() + " (= " + cv.getNumber()
            + ") uses a name reserved in the previous release");
      }
    }
  }

  private static boolean isReservedNumber(DescriptorProto m, int number) {
    // DescriptorProto.ReservedRange: start inclusive, end exclusive.
    return m.getReservedRangeList().stream().anyMatch(r -> number >= r.getStart() && number < r.getEnd());
  }

  private static boolean isReservedEnumNumber(EnumDescriptorProto e, int number) {
    // EnumDescriptorProto.EnumReservedRange: start and end both inclusive.
    return e.getReservedRangeList().stream().anyMatch(r -> number >= r.getStart() && number <= r.getEnd());
  }

  /** The real oneof a field belongs to; null if none (proto3 {@code optional}'s synthetic oneof does not count). */
  private static String oneofOf(DescriptorProto m, FieldDescriptorProto f) {
    if (!f.hasOneofIndex() || f.getProto3Optional()) {
      return null;
    }
    return m.getOneofDecl(f.getOneofIndex()).getName();
  }

  private static String cardinality(Index index, FieldDescriptorProto f) {
    switch (f.getLabel()) {
      case LABEL_REPEATED:
        return index.isMapEntry(f.getTypeName()) ? "map" : "repeated";
      case LABEL_REQUIRED:
        return "required";
      default:
        return f.getProto3Optional() ? "optional" : "singular";
    }
  }

  private static String typeOf(Index index, FieldDescriptorProto f) {
    switch (f.getType()) {
      case TYPE_MESSAGE:
      case TYPE_GROUP: {
        String typeName = strip(f.getTypeName());
        MessageInfo m = index.messages.get(typeName);
        if (m != null && m.isMapEntry() && f.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED) {
          FieldDescriptorProto key = m.proto.getField(0).getNumber() == 1 ? m.proto.getField(0) : m.proto.getField(1);
          FieldDescriptorProto val = m.proto.getField(0).getNumber() == 2 ? m.proto.getField(0) : m.proto.getField(1);
          return "map<" + typeOf(index, key) + ", " + typeOf(index, val) + ">";
        }
        return typeName;
      }
      case TYPE_ENUM:
        return strip(f.getTypeName());
      default:
        return f.getType().name().substring("TYPE_".length()).toLowerCase(Locale.ROOT);
    }
  }

  private static String strip(String typeName) {
    return typeName.startsWith(".") ? typeName.substring(1) : typeName;
  }

  private record MessageInfo(DescriptorProto proto, String parent) {
    boolean isMapEntry() {
      return proto.getOptions().getMapEntry();
    }
  }

  private record EnumInfo(EnumDescriptorProto proto, String parent) {
  }

  /** Every message and enum of a descriptor set by full name, in declaration order. */
  private static final class Index {
    final Map<String, MessageInfo> messages = new LinkedHashMap<>();
    final Map<String, EnumInfo> enums = new LinkedHashMap<>();

    Index(FileDescriptorSet set) {
      for (FileDescriptorProto file : set.getFileList()) {
        String pkg = file.getPackage();
        for (DescriptorProto m : file.getMessageTypeList()) {
          addMessage(pkg, m);
        }
        for (EnumDescriptorProto e : file.getEnumTypeList()) {
          enums.put(qualify(pkg, e.getName()), new EnumInfo(e, pkg));
        }
      }
    }

    private void addMessage(String scope, DescriptorProto m) {
      String name = qualify(scope, m.getName());
      messages.put(name, new MessageInfo(m, scope));
      for (DescriptorProto nested : m.getNestedTypeList()) {
        addMessage(name, nested);
      }
      for (EnumDescriptorProto e : m.getEnumTypeList()) {
        enums.put(qualify(name, e.getName()), new EnumInfo(e, name));
      }
    }

    boolean isMapEntry(String typeName) {
      MessageInfo m = messages.get(strip(typeName));
      return m != null && m.isMapEntry();
    }

    private static String qualify(String scope, String name) {
      return scope.isEmpty() ? name : scope + "." + name;
    }
  }
}
