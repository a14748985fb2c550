#include "tests/harness/openapi_validator.hpp"

#include <fmt/format.h>

#include <regex>
#include <stdexcept>

namespace isc_mirror::testing {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string TypeName(element value) {
  switch (value.type()) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::INT64:
    case element_type::UINT64:
      return "integer";
    case element_type::DOUBLE:
      return "number";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "?";
}

bool HasType(element value, std::string_view type) {
  auto t = value.type();
  if (type == "string") return t == element_type::STRING;
  if (type == "integer") return t == element_type::INT64 || t == element_type::UINT64;
  if (type == "number") {
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  }
  if (type == "boolean") return t == element_type::BOOL;
  if (type == "array") return t == element_type::ARRAY;
  if (type == "object") return t == element_type::OBJECT;
  if (type == "null") return t == element_type::NULL_VALUE;
  return true;
}

bool Equal(element a, element b) {
  return simdjson::minify(a) == simdjson::minify(b);
}

}  // namespace

OpenApiValidator::OpenApiValidator(const std::string& path) {
  if (spec_parser_.load(path).get(spec_)) {
    throw std::runtime_error("cannot read the OpenAPI file " + path);
  }
}

element OpenApiValidator::Resolve(element schema) {
  for (int hops = 0; hops < 20; ++hops) {
    std::string_view ref;
    if (schema.type() != element_type::OBJECT || schema["$ref"].get(ref)) return schema;
    if (!ref.starts_with("#/")) throw std::runtime_error(fmt::format("external $ref {}", ref));
    element target = spec_;
    size_t pos = 2;
    while (pos <= ref.size()) {
      size_t slash = ref.find('/', pos);
      if (slash == std::string_view::npos) slash = ref.size();
      if (target[ref.substr(pos, slash - pos)].get(target)) {
        throw std::runtime_error(fmt::format("unresolvable $ref {}", ref));
      }
      pos = slash + 1;
    }
    schema = target;
  }
  throw std::runtime_error("$ref chain too long");
}

void OpenApiValidator::Validate(element value, element schema, const std::string& where,
                                std::vector<std::string>& errors, int depth) {
  if (depth > 64) return;
  schema = Resolve(schema);
  if (schema.type() != element_type::OBJECT) return;

  bool nullable = false;
  if (schema["nullable"].get(nullable)) nullable = false;
  simdjson::dom::array all_of, any_of;
  if (!schema["allOf"].get(all_of)) {
    if (value.is_null() && nullable) return;
    for (element part : all_of) Validate(value, part, where, errors, depth + 1);
  }
  for (const char* key : {"oneOf", "anyOf"}) {
    if (schema[key].get(any_of)) continue;
    if (value.is_null() && nullable) return;
    bool matched = false;
    for (element option : any_of) {
      std::vector<std::string> attempt;
      Validate(value, option, where, attempt, depth + 1);
      if (attempt.empty()) matched = true;
    }
    if (!matched) errors.push_back(fmt::format("{}: matches none of the {} options", where, key));
  }

  simdjson::dom::array enum_values;
  if (!schema["enum"].get(enum_values)) {
    bool found = false;
    for (element option : enum_values) found = found || Equal(option, value);
    if (!found && !(value.is_null() && nullable)) {
      errors.push_back(
          fmt::format("{}: {} is not one of the enum values", where, simdjson::minify(value)));
    }
  }

  std::string_view type;
  simdjson::dom::array types;
  if (!schema["type"].get(type)) {
    if (value.is_null()) {
      if (!nullable) errors.push_back(fmt::format("{}: null where {} is required", where, type));
      return;
    }
    if (!HasType(value, type)) {
      errors.push_back(fmt::format("{}: expected {}, got {}", where, type, TypeName(value)));
      return;
    }
  } else if (!schema["type"].get(types)) {  // OpenAPI 3.1 style ["string", "null"]
    bool ok = false;
    for (element t : types) {
      std::string_view name;
      ok = ok || (!t.get(name) && HasType(value, name));
    }
    if (!ok)
      errors.push_back(fmt::format("{}: {} is none of the allowed types", where, TypeName(value)));
    return;
  } else if (value.is_null()) {
    return;  // no type: anything goes
  }

  std::string_view format;
  std::string_view text;
  if (!schema["format"].get(format) && !value.get(text)) {
    static const std::regex kDateTime(
        R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
    static const std::regex kUuid(
        R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
    std::string s(text);
    if (format == "date-time" && !std::regex_match(s, kDateTime)) {
      errors.push_back(fmt::format("{}: '{}' is not a date-time", where, s));
    }
    if (format == "uuid" && !std::regex_match(s, kUuid)) {
      errors.push_back(fmt::format("{}: '{}' is not a uuid", where, s));
    }
  }
  int64_t number = 0;
  if (!schema["format"].get(format) && format == "int32" && !value.get(number) &&
      (number < INT32_MIN || number > INT32_MAX)) {
    errors.push_back(fmt::format("{}: {} does not fit int32", where, number));
  }

  simdjson::dom::object object;
  if (!value.get(object)) {
    simdjson::dom::array required;
    if (!schema["required"].get(required)) {
      for (element name : required) {
        std::string_view key;
        if (!name.get(key) && object[key].error()) {
          errors.push_back(fmt::format("{}: required property '{}' is missing", where, key));
        }
      }
    }
    simdjson::dom::object properties;
    bool has_properties = !schema["properties"].get(properties);
    bool additional_allowed = true;
    element additional;
    bool has_additional_schema = false;
    if (!schema["additionalProperties"].get(additional)) {
      bool flag = true;
      if (!additional.get(flag)) {
        additional_allowed = flag;
      } else {
        has_additional_schema = true;
      }
    }
    for (auto [key, child] : object) {
      element property;
      std::string child_where = fmt::format("{}.{}", where, key);
      if (has_properties && !properties[key].get(property)) {
        Validate(child, property, child_where, errors, depth + 1);
      } else if (has_additional_schema) {
        Validate(child, additional, child_where, errors, depth + 1);
      } else if (!additional_allowed) {
        errors.push_back(fmt::format("{}: property is not allowed", child_where));
      }
    }
  }
  simdjson::dom::array array;
  element items;
  if (!value.get(array) && !schema["items"].get(items)) {
    size_t index = 0;
    for (element child : array) {
      Validate(child, items, fmt::format("{}[{}]", where, index++), errors, depth + 1);
    }
  }
}

std::vector<std::string> OpenApiValidator::ValidateResponse(std::string_view method,
                                                            std::string_view path_template,
                                                            int status, std::string_view body) {
  std::vector<std::string> errors;
  element operation;
  std::string lower(method);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (spec_["paths"][path_template][lower].get(operation)) {
    return {fmt::format("the spec has no {} {}", method, path_template)};
  }
  element response;
  if (operation["responses"][std::to_string(status)].get(response)) {
    return {fmt::format("the spec has no {} response for {} {}", status, method, path_template)};
  }
  response = Resolve(response);
  element schema;
  if (response["content"]["application/json"]["schema"].get(schema)) {
    if (!body.empty())
      errors.push_back(
          fmt::format("{} {} {} has no body in the spec", method, path_template, status));
    return errors;
  }
  element value;
  if (body_parser_.parse(body.data(), body.size()).get(value)) {
    return {fmt::format("the body of {} {} is not valid JSON", method, path_template)};
  }
  Validate(value, schema, "$", errors, 0);
  return errors;
}

std::vector<std::string> OpenApiValidator::ValidateSchema(std::string_view schema_name,
                                                          std::string_view body) {
  element schema;
  if (spec_["components"]["schemas"][schema_name].get(schema)) {
    return {fmt::format("no schema named {}", schema_name)};
  }
  element value;
  if (body_parser_.parse(body.data(), body.size()).get(value))
    return {"the body is not valid JSON"};
  std::vector<std::string> errors;
  Validate(value, schema, "$", errors, 0);
  return errors;
}

}  // namespace isc_mirror::testing
