#include "daemon/config.hpp"

#include <gtest/gtest.h>

#include <map>

#include "sync/resource_schema.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror::daemon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// A host with a fixed environment and fixed files, so parsing is tested without I/O.
struct FakeHost {
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> files;
  std::map<std::string, unsigned> modes;  // absent: 0600

  ConfigHost Host() const {
    ConfigHost host;
    host.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    host.read_file = [this](const std::string& path) -> base::Expected<std::string> {
      auto it = files.find(path);
      if (it == files.end())
        return base::Error{"cannot read " + path + ": No such file or directory"};
      return it->second;
    };
    host.file_mode = [this](const std::string& path) -> std::optional<unsigned> {
      auto it = modes.find(path);
      return it == modes.end() ? 0600u : it->second;
    };
    return host;
  }
};

ConfigResult Parse(const std::string& yaml, const FakeHost& fake = {}) {
  return ParseConfig(yaml, "test.yaml", fake.Host());
}

std::string AllErrors(const ConfigResult& result) {
  std::string out;
  for (const auto& e : result.errors) out += e.ToString() + "\n";
  return out;
}

const ConfigError* FindError(const ConfigResult& result, const std::string& key) {
  for (const auto& e : result.errors) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

constexpr const char* kMinimal = R"(
tenants:
  - name: prod
    base_url: https://acme.api.identitynow.com/
    client_id: abc
    client_secret: xyz
)";

TEST(ParseConfig, ReadsTheGoodFixture) {
  FakeHost fake;
  fake.env = {{"TEST_CLIENT_ID", "client-1"},
              {"TEST_CLIENT_SECRET", "secret-1"},
              {"TEST_DATABASE_URL", "postgresql://u:pw@db/isc"}};
  auto yaml = testing::ReadFile(ISC_MIRROR_SOURCE_DIR "/tests/fixtures/config/good.yaml");
  auto result = ParseConfig(yaml, "good.yaml", fake.Host());
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  const Config& c = result.config;
  ASSERT_EQ(c.tenants.size(), 1u);
  EXPECT_EQ(c.tenants[0].name, "prod");
  EXPECT_EQ(c.tenants[0].client_id, "client-1");
  EXPECT_EQ(c.tenants[0].client_secret.Reveal(), "secret-1");
  EXPECT_EQ(c.tenants[0].token_url, "https://acme.api.identitynow.com/oauth/token");
  EXPECT_EQ(c.tenants[0].rate_limit.requests, 100);
  EXPECT_EQ(c.tenants[0].rate_limit.per, seconds(10));
  EXPECT_EQ(c.database.url.Reveal(), "postgresql://u:pw@db/isc");
  EXPECT_EQ(c.resources.size(), sync::BuiltinSchemas().size());
  EXPECT_FALSE(c.FindResource("das_schedules")->enabled);
  EXPECT_TRUE(c.FindResource("das_tasks")->enabled);
  EXPECT_EQ(c.FindResource("accounts")->full_every, hours(24));
  EXPECT_TRUE(c.FindResource("accounts")->ignore_paths.empty());
  EXPECT_EQ(c.FindResource("identities")->ignore_paths, std::vector<std::string>{"/lastRefresh"});
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].on, "leaver");
  ASSERT_EQ(c.rules[0].steps.size(), 3u);
  EXPECT_EQ(c.rules[0].steps[0].action, "das_reassign_owner");
  EXPECT_EQ(c.rules[0].steps[0].params.at("fallback"), "2c9180835d2e5168015d32f890ca1581");
  EXPECT_EQ(c.rules[0].steps[0].line, 21);
  EXPECT_DOUBLE_EQ(c.guards.max_delete_share, 0.10);
  EXPECT_EQ(c.http.listen, "127.0.0.1:9464");
}

TEST(ParseConfig, ReadsRetriesAndTheDeleteFloor) {
  auto result =
      Parse(std::string(kMinimal) + R"(    retry: { attempts: 3, base_delay: 250ms, max_delay: 5s }
guards: { max_delete_share: 0.2, delete_floor: 25 }
)");
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  const auto& retry = result.config.tenants[0].retry;
  EXPECT_EQ(retry.max_attempts, 3);
  EXPECT_EQ(retry.base_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(retry.max_delay, std::chrono::seconds(5));
  EXPECT_EQ(result.config.guards.delete_floor, 25);
  EXPECT_EQ(Parse(kMinimal).config.tenants[0].retry.max_attempts, 6);

  auto bad = Parse(std::string(kMinimal) + R"(    retry: { attempts: 0, tries: 2 }
guards: { delete_floor: -1 }
)");
  EXPECT_NE(FindError(bad, "tenants[0].retry.attempts"), nullptr) << AllErrors(bad);
  EXPECT_NE(FindError(bad, "tenants[0].retry.tries"), nullptr) << AllErrors(bad);
  EXPECT_NE(FindError(bad, "guards.delete_floor"), nullptr) << AllErrors(bad);
}

// One rate budget per tenant, whatever the API version, unless the config says otherwise.
TEST(ParseConfig, ReadsTheRateLimitAndWhetherItIsPerVersion) {
  EXPECT_FALSE(Parse(kMinimal).config.tenants[0].rate_limit.per_version);
  auto result = Parse(std::string(kMinimal) +
                      "    rate_limit: { requests: 50, per: 5s, per_version: true }\n");
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  EXPECT_EQ(result.config.tenants[0].rate_limit.requests, 50);
  EXPECT_TRUE(result.config.tenants[0].rate_limit.per_version);
  auto bad = Parse(std::string(kMinimal) + "    rate_limit: { per_version: maybe }\n");
  EXPECT_NE(FindError(bad, "tenants[0].rate_limit.per_version"), nullptr) << AllErrors(bad);
}

TEST(ParseConfig, ReadsTheShippedExample) {
  FakeHost fake;
  fake.env = {{"SAIL_CLIENT_ID", "client-1"},
              {"CREDENTIALS_DIRECTORY", "/run/credentials/isc-mirror.service"}};
  fake.files = {{"/run/credentials/isc-mirror.service/client_secret", "from-file\n"}};
  auto yaml = testing::ReadFile(ISC_MIRROR_SOURCE_DIR "/systemd/config.example.yaml");
  auto result = ParseConfig(yaml, "config.example.yaml", fake.Host());
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  EXPECT_EQ(result.config.tenants[0].client_secret.Reveal(), "from-file");
}

TEST(ParseConfig, AppliesDefaults) {
  auto result = Parse(kMinimal);
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  const Config& c = result.config;
  EXPECT_EQ(c.tenants[0].base_url, "https://acme.api.identitynow.com");
  EXPECT_EQ(c.FindResource("identities")->interval, minutes(5));
  EXPECT_EQ(c.FindResource("accounts")->interval, minutes(15));
  EXPECT_EQ(c.FindResource("accounts")->full_every, hours(24));
  EXPECT_FALSE(c.FindResource("task_statuses")->full_every.has_value());
  EXPECT_EQ(c.lifecycle.leaver_states, (std::vector<std::string>{"terminated", "inactive"}));
  EXPECT_FALSE(c.actions.outbox.dry_run);
  EXPECT_EQ(c.actions.outbox.max_per_hour, 100);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_TRUE(c.database.url.empty());
}

TEST(ParseConfig, ReportsTheThreeErrorsOfTheFixtureWithLines) {
  FakeHost fake;
  fake.env = {{"TEST_CLIENT_SECRET", "s"}};
  auto yaml = testing::ReadFile(ISC_MIRROR_SOURCE_DIR "/tests/fixtures/config/three_errors.yaml");
  auto result = ParseConfig(yaml, "three_errors.yaml", fake.Host());
  ASSERT_EQ(result.errors.size(), 3u) << AllErrors(result);
  EXPECT_EQ(result.errors[0].key, "tenants[0].client_id");
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_EQ(result.errors[1].key, "tenants[0].rate_limit.requests");
  EXPECT_EQ(result.errors[1].line, 6);
  EXPECT_EQ(result.errors[1].message, "expected a whole number, got a list");
  EXPECT_EQ(result.errors[2].key, "resources.identities.colour");
  EXPECT_EQ(result.errors[2].line, 10);
  EXPECT_EQ(result.errors[2].ToString().rfind("three_errors.yaml:10:", 0), 0u);
}

TEST(ParseConfig, FallsBackToTheSailPointEnvironment) {
  FakeHost fake;
  fake.env = {{"SAIL_BASE_URL", "https://env.api.identitynow.com"},
              {"SAIL_CLIENT_ID", "env-id"},
              {"SAIL_CLIENT_SECRET", "env-secret"},
              {"DATABASE_URL", "postgresql:///from_env"}};
  auto result = Parse("tenants:\n  - name: t1\n", fake);
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  EXPECT_EQ(result.config.tenants[0].base_url, "https://env.api.identitynow.com");
  EXPECT_EQ(result.config.tenants[0].client_id, "env-id");
  EXPECT_EQ(result.config.tenants[0].client_secret.Reveal(), "env-secret");
  EXPECT_EQ(result.config.database.url.Reveal(), "postgresql:///from_env");

  // With no tenants at all, the three variables describe one tenant named "default".
  auto implicit = Parse("", fake);
  ASSERT_TRUE(implicit.ok()) << AllErrors(implicit);
  EXPECT_EQ(implicit.config.tenants[0].name, "default");

  // The file wins over the environment.
  auto explicit_url = Parse("database: { url: 'postgresql:///from_file' }\n", fake);
  EXPECT_EQ(explicit_url.config.database.url.Reveal(), "postgresql:///from_file");
}

TEST(ParseConfig, RequiresATenant) {
  auto result = Parse("");
  ASSERT_EQ(result.errors.size(), 1u) << AllErrors(result);
  EXPECT_EQ(result.errors[0].key, "tenants");
  EXPECT_NE(result.errors[0].message.find("SAIL_BASE_URL"), std::string::npos);
}

TEST(ParseConfig, ReportsEveryMissingTenantValue) {
  auto result = Parse("tenants:\n  - {}\n");
  EXPECT_NE(FindError(result, "tenants[0].name"), nullptr) << AllErrors(result);
  EXPECT_NE(FindError(result, "tenants[0].base_url"), nullptr);
  EXPECT_NE(FindError(result, "tenants[0].client_id"), nullptr);
  EXPECT_NE(FindError(result, "tenants[0].client_secret"), nullptr);
}

// One tenant whose secret lines are given; they start on line 6.
std::string TenantWithSecret(const std::string& secret_lines) {
  return "\ntenants:\n  - name: prod\n    base_url: https://a.api.identitynow.com\n"
         "    client_id: abc\n" +
         secret_lines;
}

TEST(ParseConfig, ReadsTheSecretFromAFile) {
  FakeHost fake;
  fake.files = {{"/run/secret", "file-secret\r\n"}};
  auto result = Parse(TenantWithSecret("    client_secret_file: /run/secret\n"), fake);
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  EXPECT_EQ(result.config.tenants[0].client_secret.Reveal(), "file-secret");

  auto missing = Parse(TenantWithSecret("    client_secret_file: /run/nope\n"), fake);
  const auto* error = FindError(missing, "tenants[0].client_secret_file");
  ASSERT_NE(error, nullptr) << AllErrors(missing);
  EXPECT_NE(error->message.find("/run/nope"), std::string::npos);
  EXPECT_EQ(error->line, 6);

  auto both =
      Parse(TenantWithSecret("    client_secret: x\n    client_secret_file: /run/secret\n"), fake);
  ASSERT_NE(FindError(both, "tenants[0].client_secret_file"), nullptr) << AllErrors(both);

  fake.files["/run/empty"] = "\n";
  auto empty = Parse(TenantWithSecret("    client_secret_file: /run/empty\n"), fake);
  ASSERT_NE(FindError(empty, "tenants[0].client_secret_file"), nullptr) << AllErrors(empty);
}

TEST(ParseConfig, ReadsEachTenantsTriggerAuthAndTheReceiver) {
  FakeHost fake;
  fake.files = {{"/run/creds/token", "0123456789abcdef0123\n"},
                {"/run/creds/short", "abc\n"},
                {"/etc/tls/cert.pem", "CERT"},
                {"/etc/tls/key.pem", "KEY"}};
  auto result = Parse(std::string(kMinimal) + R"(    triggers: { token_file: /run/creds/token }
  - name: test
    base_url: https://test.api.identitynow.com
    client_id: abc
    client_secret: xyz
    triggers:
      auth: basic
      user: isc
      password_file: /run/creds/token
      filters:
        idn:identity-attributes-changed: "$.changes[?(@.attribute == 'manager')]"
  - name: lab
    base_url: https://lab.api.identitynow.com
    client_id: abc
    client_secret: xyz
triggers:
  listen: 127.0.0.1:9465
  dedup_window: 2m
  tls: { cert_file: /etc/tls/cert.pem, key_file: /etc/tls/key.pem }
)",
                      fake);
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  const auto& tenants = result.config.tenants;
  ASSERT_TRUE(tenants[0].triggers.has_value());
  EXPECT_EQ(tenants[0].triggers->scheme, triggers::AuthScheme::kBearer);
  EXPECT_EQ(tenants[0].triggers->token.Reveal(), "0123456789abcdef0123");
  EXPECT_EQ(tenants[1].triggers->scheme, triggers::AuthScheme::kBasic);
  EXPECT_EQ(tenants[1].triggers->user, "isc");
  EXPECT_TRUE(tenants[0].trigger_filters.empty());
  EXPECT_EQ(tenants[1].trigger_filters,
            (std::map<std::string, std::string>{
                {"idn:identity-attributes-changed", "$.changes[?(@.attribute == 'manager')]"}}));
  EXPECT_FALSE(tenants[2].triggers.has_value());
  EXPECT_EQ(result.config.triggers.listen, "127.0.0.1:9465");
  EXPECT_EQ(result.config.triggers.dedup_window, minutes(2));
  EXPECT_EQ(result.config.triggers.key_file, "/etc/tls/key.pem");
  // Off by default.
  EXPECT_TRUE(Parse(kMinimal).config.triggers.listen.empty());
  // A trigger named without its idn: prefix is kept under its id, as the subscription has it.
  auto short_name =
      Parse(std::string(kMinimal) +
            "    triggers: { auth: none, filters: { identity-created: $.identity } }\n");
  ASSERT_TRUE(short_name.ok()) << AllErrors(short_name);
  EXPECT_EQ(short_name.config.tenants[0].trigger_filters,
            (std::map<std::string, std::string>{{"idn:identity-created", "$.identity"}}));

  struct Case {
    std::string yaml;
    std::string key;
    std::string message;
  };
  const Case cases[] = {
      {"    triggers: {}\n", "tenants[0].triggers.token_file", "missing required value"},
      {"    triggers: { token_file: /run/creds/short }\n", "tenants[0].triggers.token_file",
       "shorter than 16"},
      {"    triggers: { auth: secret }\n", "tenants[0].triggers.auth", "unknown auth 'secret'"},
      {"    triggers: { auth: basic, password_file: /run/creds/token }\n",
       "tenants[0].triggers.user", "needs a user"},
      {"    triggers: { auth: none, token_file: /run/creds/token }\n",
       "tenants[0].triggers.token_file", "not used with auth: none"},
      {"    triggers: { tokenfile: x }\n", "tenants[0].triggers.tokenfile", "did you mean"},
      {"    triggers: { auth: none, filters: { idn:identity-changed: $.x } }\n",
       "tenants[0].triggers.filters.idn:identity-changed",
       "not a trigger the mirror subscribes to (expected one of idn:"},
      {"    triggers: { auth: none, filters: { idn:identity-created: changes } }\n",
       "tenants[0].triggers.filters.idn:identity-created", "starting with $"},
      {"    triggers: { auth: none, filters: [ $.x ] }\n", "tenants[0].triggers.filters",
       "expected a mapping"},
      {"triggers: { listen: 127.0.0.1:9465 }\n", "triggers.listen", "no tenant accepts"},
      {"    triggers: { auth: none }\ntriggers: { listen: nowhere }\n", "triggers.listen",
       "not HOST:PORT"},
      {"    triggers: { auth: none }\ntriggers: { tls: { cert_file: /etc/tls/cert.pem } }\n",
       "triggers.tls.key_file", "TLS needs cert_file and key_file"},
  };
  for (const auto& c : cases) {
    auto bad = Parse(std::string(kMinimal) + c.yaml, fake);
    const auto* error = FindError(bad, c.key);
    ASSERT_NE(error, nullptr) << c.yaml << AllErrors(bad);
    EXPECT_NE(error->message.find(c.message), std::string::npos) << error->message;
    // The secret never shows.
    EXPECT_EQ(AllErrors(bad).find("0123456789abcdef"), std::string::npos);
  }
}

TEST(ParseConfig, RefusesPlainHttpToIscUnlessAllowed) {
  auto tenant = [](const std::string& lines) {
    return "tenants:\n  - name: prod\n    client_id: abc\n    client_secret: s\n" + lines;
  };
  auto plain = Parse(tenant("    base_url: http://isc.example.com\n"));
  const auto* error = FindError(plain, "tenants[0].base_url");
  ASSERT_NE(error, nullptr) << AllErrors(plain);
  EXPECT_NE(error->message.find("in clear"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("allow_insecure_http"), std::string::npos) << error->message;

  auto token =
      Parse(tenant("    base_url: https://isc.example.com\n"
                   "    token_url: http://isc.example.com/oauth/token\n"));
  EXPECT_NE(FindError(token, "tenants[0].token_url"), nullptr) << AllErrors(token);

  auto allowed =
      Parse(tenant("    base_url: http://127.0.0.1:8080\n"
                   "    allow_insecure_http: true\n"));
  ASSERT_TRUE(allowed.ok()) << AllErrors(allowed);
  EXPECT_TRUE(allowed.config.tenants[0].allow_insecure_http);
}

TEST(ParseConfig, ReadsTheCaFilesAndRefusesOnesThatCannotBeRead) {
  FakeHost fake;
  fake.files = {{"/etc/ca.pem", "-----BEGIN CERTIFICATE-----\n"}};
  auto result = Parse(TenantWithSecret("    client_secret: s\n    ca_file: /etc/ca.pem\n") +
                          "actions: { webhook_ca_file: /etc/ca.pem }\n",
                      fake);
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  EXPECT_EQ(result.config.tenants[0].ca_file, "/etc/ca.pem");
  EXPECT_EQ(result.config.actions.webhook_ca_file, "/etc/ca.pem");
  auto missing = Parse(TenantWithSecret("    client_secret: s\n    ca_file: /nope.pem\n") +
                           "actions: { webhook_ca_file: /nope2.pem }\n",
                       fake);
  EXPECT_NE(FindError(missing, "tenants[0].ca_file"), nullptr) << AllErrors(missing);
  EXPECT_NE(FindError(missing, "actions.webhook_ca_file"), nullptr) << AllErrors(missing);
}

TEST(ParseConfig, RefusesAWebhookThatIsNotHttpsWithoutQuotingItsPath) {
  auto result = Parse(TenantWithSecret("    client_secret: s\n") + R"(rules:
  - name: hook
    on: joiner
    do:
      - webhook: { url: "http://hooks.example.com/T0/B0/XSECRETX", secret: x }
)");
  const auto* error = FindError(result, "rules[0].do[0].webhook");
  ASSERT_NE(error, nullptr) << AllErrors(result);
  EXPECT_NE(error->message.find("not an https:// URL"), std::string::npos) << error->message;
  EXPECT_EQ(AllErrors(result).find("XSECRETX"), std::string::npos) << AllErrors(result);
  for (const char* url : {"ftp://hooks.example.com/x", "file:///etc/passwd", "https:///x"}) {
    auto other =
        Parse(TenantWithSecret("    client_secret: s\n") +
              "rules:\n  - name: hook\n    on: joiner\n    do:\n      - webhook: { url: \"" + url +
              "\", secret: x }\n");
    EXPECT_FALSE(other.ok()) << url;
  }
}

TEST(ParseConfig, WarnsOfSecretsOthersCanRead) {
  FakeHost fake;
  fake.files = {{"/run/secret", "s3cret\n"}};
  fake.modes = {{"/run/secret", 0644}, {"test.yaml", 0644}};
  auto from_file = Parse(TenantWithSecret("    client_secret_file: /run/secret\n"), fake);
  ASSERT_TRUE(from_file.ok()) << AllErrors(from_file);
  ASSERT_EQ(from_file.warnings.size(), 1u) << "the config holds no secret itself";
  EXPECT_EQ(from_file.warnings[0].key, "tenants[0].client_secret_file");
  EXPECT_NE(from_file.warnings[0].message.find("every user (mode 0644)"), std::string::npos)
      << from_file.warnings[0].message;
  EXPECT_NE(from_file.warnings[0].message.find("chmod 600 /run/secret"), std::string::npos);

  auto literal = Parse(TenantWithSecret("    client_secret: s3cret\n"), fake);
  ASSERT_EQ(literal.warnings.size(), 1u);
  EXPECT_NE(literal.warnings[0].message.find("secrets (tenants[0].client_secret)"),
            std::string::npos)
      << literal.warnings[0].message;
  EXPECT_EQ(literal.warnings[0].message.find("s3cret"), std::string::npos);

  fake.modes = {{"/run/secret", 0600}, {"test.yaml", 0640}};  // root:isc-mirror 0640
  EXPECT_TRUE(Parse(TenantWithSecret("    client_secret: s3cret\n"), fake).warnings.empty());
  fake.modes["test.yaml"] = 0644;
  fake.env = {{"SECRET", "s3cret"}};
  EXPECT_TRUE(Parse(TenantWithSecret("    client_secret: ${SECRET}\n"), fake).warnings.empty())
      << "a secret from the environment is not in the file";
}

TEST(ParseConfig, NeverQuotesASecretInAnError) {
  FakeHost fake;
  fake.env = {{"SECRET", "TOPSECRET-1"}};
  auto result = Parse(R"(
tenants:
  - name: prod
    base_url: not-a-url
    client_id: [1]
    client_secret: [TOPSECRET-2]
  - name: other
    base_url: https://a.api.identitynow.com
    client_id: abc
    client_secret: ${SECRET}
    client_secret_file: /nope
database:
  url: [postgresql://u:TOPSECRET-3@h/d]
rules:
  - name: hook
    on: joiner
    do:
      - webhook: { url: "https://hooks.example", secret: [TOPSECRET-4] }
)",
                      fake);
  EXPECT_GE(result.errors.size(), 5u) << AllErrors(result);
  EXPECT_EQ(AllErrors(result).find("TOPSECRET"), std::string::npos) << AllErrors(result);
}

TEST(ParseConfig, ExpandsEnvironmentVariables) {
  FakeHost fake;
  fake.env = {{"HOST", "acme"}, {"EMPTY", ""}};
  auto host = fake.Host();
  EXPECT_EQ(ExpandEnvironment("https://${HOST}.api.identitynow.com", host).value(),
            "https://acme.api.identitynow.com");
  EXPECT_EQ(ExpandEnvironment("a$$b $x ${EMPTY}", host).value(), "a$b $x ");
  auto unset = ExpandEnvironment("${NOPE}", host);
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error(), "environment variable NOPE is not set");
  EXPECT_FALSE(ExpandEnvironment("${HOST", host).ok());
  EXPECT_FALSE(ExpandEnvironment("${1X}", host).ok());
  EXPECT_FALSE(ExpandEnvironment("${}", host).ok());

  auto result = Parse(std::string(kMinimal) + "database: { url: '${NOPE}' }\n", fake);
  const auto* error = FindError(result, "database.url");
  ASSERT_NE(error, nullptr) << AllErrors(result);
  EXPECT_EQ(error->message, "environment variable NOPE is not set");
}

TEST(ParseConfig, ReportsWrongTypesAndBadValues) {
  auto result = Parse(std::string(kMinimal) + R"(
resources:
  identities: { interval: often, enabled: maybe, ignore_paths: [lastRefresh] }
  accounts: { full_every: 0s }
  task_statuses: { full_every: 1h }
  acounts: {}
  certifications: [1]
lifecycle: { leaver_states: [], mover_attributes: managerRef.id }
actions: { dry_run: 1, max_per_hour: -1 }
guards: { max_delete_share: 1.5 }
http: { listen: localhost }
log: { level: loud }
)");
  for (const char* key :
       {"resources.identities.interval", "resources.identities.enabled",
        "resources.identities.ignore_paths[0]", "resources.accounts.full_every",
        "resources.task_statuses.full_every", "resources.acounts", "resources.certifications",
        "lifecycle.leaver_states", "lifecycle.mover_attributes", "actions.dry_run",
        "actions.max_per_hour", "guards.max_delete_share", "http.listen", "log.level"}) {
    EXPECT_NE(FindError(result, key), nullptr) << "no error for " << key << "\n"
                                               << AllErrors(result);
  }
  EXPECT_EQ(FindError(result, "resources.acounts")->message,
            "unknown resource (did you mean 'accounts'?)");
  EXPECT_NE(FindError(result, "resources.identities.interval")->message.find("'often'"),
            std::string::npos);
  for (const auto& e : result.errors) EXPECT_GT(e.line, 0) << e.ToString();
}

TEST(ParseConfig, ReportsStructuralErrors) {
  EXPECT_EQ(Parse("tenants: prod\n").errors.at(0).key, "tenants");
  EXPECT_EQ(Parse("- a\n- b\n").errors.size(), 1u);

  auto repeated = Parse(std::string(kMinimal) + "log: { level: info }\nlog: { level: debug }\n");
  ASSERT_FALSE(repeated.ok());
  EXPECT_NE(AllErrors(repeated).find("repeated key"), std::string::npos) << AllErrors(repeated);

  auto syntax = Parse("tenants:\n  - name: [unclosed\n");
  ASSERT_EQ(syntax.errors.size(), 1u);
  EXPECT_NE(syntax.errors[0].message.find("invalid YAML"), std::string::npos);
  EXPECT_GT(syntax.errors[0].line, 0);

  auto duplicate_tenant = Parse(R"(
tenants:
  - { name: a, base_url: "https://a.x", client_id: i, client_secret: s }
  - { name: a, base_url: "https://b.x", client_id: i, client_secret: s }
)");
  ASSERT_EQ(duplicate_tenant.errors.size(), 1u) << AllErrors(duplicate_tenant);
  EXPECT_EQ(duplicate_tenant.errors[0].line, 4);
}

TEST(ParseConfig, ValidatesRules) {
  auto result = Parse(std::string(kMinimal) + R"(
rules:
  - name: one
    on: leaver
    do:
      - das_reasign_owner: { to: manager }
  - name: one
    on: leaver
    do: [ { notify: { channel: x } } ]
  - name: two
    on: quitter
    do: []
  - name: three
    on: change
    do:
      - notify: {}
  - on: joiner
    do:
      - webhook: { url: [x] }
  - name: five
    on: change
    match: { resource: accounts, op: upsert }
    do: [ { notify: { channel: x } } ]
)");
  const auto* unknown_action = FindError(result, "rules[0].do[0].das_reasign_owner");
  ASSERT_NE(unknown_action, nullptr) << AllErrors(result);
  EXPECT_EQ(unknown_action->line, 12);
  EXPECT_NE(unknown_action->message.find("did you mean 'das_reassign_owner'"), std::string::npos);
  EXPECT_NE(FindError(result, "rules[1].name"), nullptr) << "duplicate name";
  EXPECT_NE(FindError(result, "rules[2].on"), nullptr);
  EXPECT_NE(FindError(result, "rules[2].do"), nullptr);
  EXPECT_NE(FindError(result, "rules[3].match"), nullptr);
  EXPECT_NE(FindError(result, "rules[4].name"), nullptr);
  EXPECT_NE(FindError(result, "rules[4].do[0].webhook.url"), nullptr);
  const auto* unknown_op = FindError(result, "rules[5].match.op");
  ASSERT_NE(unknown_op, nullptr) << AllErrors(result);
  EXPECT_EQ(unknown_op->message,
            "unknown op 'upsert' (expected one of: insert, update, delete, expire)");
  EXPECT_TRUE(result.config.rules.empty());
}

TEST(ParseConfig, AcceptsChangeRules) {
  auto result = Parse(std::string(kMinimal) + R"(
rules:
  - name: failed-task
    on: change
    match: { resource: task_statuses, op: update, path: /completionStatus, to: ERROR }
    dry_run: true
    max_per_hour: 5
    do:
      - notify: { channel: isc_alerts }
)");
  ASSERT_TRUE(result.ok()) << AllErrors(result);
  const auto& rule = result.config.rules.at(0);
  ASSERT_TRUE(rule.match.has_value());
  EXPECT_EQ(rule.match->op, sync::EventOp::kUpdate);
  EXPECT_EQ(rule.match->path, "/completionStatus");
  EXPECT_EQ(rule.match->to, "ERROR");
  EXPECT_EQ(rule.dry_run, true);
  EXPECT_EQ(rule.max_per_hour, 5);
}

}  // namespace
}  // namespace isc_mirror::daemon
