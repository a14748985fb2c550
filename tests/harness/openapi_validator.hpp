// Checks JSON bodies against the response schemas of third_party/isc-api/isc-openapi-subset.json.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace isc_mirror::testing {

class OpenApiValidator {
 public:
  // Throws std::runtime_error when the file cannot be read or parsed.
  explicit OpenApiValidator(const std::string& path);

  // Errors for `body` as the response to METHOD TEMPLATE with STATUS (the template as the spec
  // spells it, e.g. /v3/certifications/{id}/reviewers); empty when it validates.
  std::vector<std::string> ValidateResponse(std::string_view method, std::string_view path_template,
                                            int status, std::string_view body);

  // Errors for `value` against a named schema of components/schemas.
  std::vector<std::string> ValidateSchema(std::string_view schema_name, std::string_view body);

 private:
  void Validate(simdjson::dom::element value, simdjson::dom::element schema,
                const std::string& where, std::vector<std::string>& errors, int depth);
  simdjson::dom::element Resolve(simdjson::dom::element schema);

  simdjson::dom::parser spec_parser_;
  simdjson::dom::element spec_;
  simdjson::dom::parser body_parser_;
};

}  // namespace isc_mirror::testing
