// SPDX-License-Identifier: Apache-2.0
#include "support/json_schema_subset.hpp"

#include <yaml-cpp/yaml.h>

#include <set>
#include <stdexcept>

namespace acmecpp::testing {
namespace {

using nlohmann::json;

const std::set<std::string> kKnownKeywords{
    "$schema",    "title",    "description",          "definitions", "$ref",     "type",
    "properties", "required", "additionalProperties", "items",       "minLength"};

bool has_type(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  throw std::invalid_argument("schema: unknown type " + type);
}

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  void check(const json& schema, const json& value, const std::string& where) {
    for (const auto& item : schema.items()) {
      if (kKnownKeywords.count(item.key()) == 0) {
        throw std::invalid_argument("schema: keyword " + item.key() + " is not checked here");
      }
    }
    if (schema.contains("$ref")) return check(resolve(schema["$ref"]), value, where);
    if (schema.contains("type") && !has_type(value, schema["type"])) {
      return fail(where, "is not of type " + schema["type"].get<std::string>());
    }
    if (value.is_string() && schema.contains("minLength") &&
        value.get<std::string>().size() < schema["minLength"].get<std::size_t>()) {
      fail(where, "is shorter than " + schema["minLength"].dump());
    }
    if (value.is_array() && schema.contains("items")) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        check(schema["items"], value[i], where + "/" + std::to_string(i));
      }
    }
    if (value.is_object()) check_object(schema, value, where);
  }

  std::vector<std::string> violations;

 private:
  void check_object(const json& schema, const json& value, const std::string& where) {
    for (const auto& name : schema.value("required", json::array())) {
      if (!value.contains(name.get<std::string>())) {
        fail(where, "lacks required member " + name.get<std::string>());
      }
    }
    const json properties = schema.value("properties", json::object());
    for (const auto& member : value.items()) {
      const std::string place = where + "/" + member.key();
      if (properties.contains(member.key())) {
        check(properties[member.key()], member.value(), place);
      } else if (schema.contains("additionalProperties")) {
        const json& extra = schema["additionalProperties"];
        if (extra.is_boolean()) {
          if (!extra.get<bool>()) fail(place, "is not an allowed member");
        } else {
          check(extra, member.value(), place);
        }
      }
    }
  }

  const json& resolve(const json& ref) const {
    const std::string text = ref.get<std::string>();
    const std::string prefix = "#/definitions/";
    if (text.compare(0, prefix.size(), prefix) != 0) {
      throw std::invalid_argument("schema: only #/definitions/ references are checked: " + text);
    }
    return root_.at("definitions").at(text.substr(prefix.size()));
  }

  void fail(const std::string& where, const std::string& what) {
    violations.push_back((where.empty() ? "/" : where) + " " + what);
  }

  const json& root_;
};

json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& pair : node) object[pair.first.as<std::string>()] = to_json(pair.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) array.push_back(to_json(item));
      return array;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      const bool plain = node.Tag() != "!";
      if (plain && (text == "true" || text == "false")) return text == "true";
      return text;
    }
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> schema_violations(const json& schema, const json& document) {
  Checker checker(schema);
  checker.check(schema, document, "");
  return checker.violations;
}

json yaml_as_json(const std::string& yaml) {
  try {
    return to_json(YAML::Load(yaml));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(std::string("YAML does not parse: ") + e.what());
  }
}

}  // namespace acmecpp::testing
