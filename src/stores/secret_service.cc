// The default store: the desktop keyring over the Secret Service D-Bus API.
//
// Items use the schema io.tokex.Secret with the attributes `profile` and
// `name`. Attributes are not confidential in the Secret Service (any
// client may search them), so they hold only names; the value is the
// secret itself.
#include <cstring>

#include "glib_handle.h"
#include "secret_store.h"
#include "text.h"

namespace tokex {

namespace {

const SecretSchema kSchema = {
    "io.tokex.Secret",
    SECRET_SCHEMA_NONE,
    {
        {"profile", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {"name", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING},
    },
    0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
};

Error StoreError(GError* raw) {
  GErrorPtr e(raw);
  std::string detail = Printable(e && e->message ? e->message : "unknown error", 160);
  return MakeError(ErrorKind::kStore,
                   "cannot use the Secret Service keyring (" + detail +
                       "): unlock your keyring or start one in this session (gnome-keyring-daemon "
                       "--unlock --components=secrets), or on a headless host set store = file or store = env");
}

// The keyring's value as a Secret; another program may have written it,
// so a control character or invalid UTF-8 is refused without quoting it.
Result<std::optional<Secret>> Checked(const std::string& profile, const std::string& name, std::string_view value) {
  if (!IsUsableSecret(name, value))
    return MakeError(ErrorKind::kStore, "the keyring's " + name + " for " + profile +
                                            " holds a line break, another control character or invalid UTF-8: "
                                            "store it again with 'tokex secret set " + profile + " " + name + "'");
  return std::optional<Secret>(Secret(value));
}

class SecretServiceStore : public SecretStore {
 public:
  Result<Secret> Get(std::string_view profile, std::string_view name) override {
    Result<std::optional<Secret>> value = Lookup(profile, name);
    if (!value) return value.error();
    if (!value->has_value()) return MissingSecretError(profile, name, "the keyring");
    return std::move(**value);
  }

  Status Set(std::string_view profile, std::string_view name, const Secret& value) override {
    std::string p(profile), n(name);
    std::string label = "tokex: " + p + " " + n;
    std::string v(value.view());  // libsecret wants a NUL-terminated string
    GError* error = nullptr;
    gboolean ok = secret_password_store_sync(&kSchema, SECRET_COLLECTION_DEFAULT, label.c_str(), v.c_str(),
                                             nullptr, &error, "profile", p.c_str(), "name", n.c_str(), nullptr);
    WipeString(&v);
    if (error != nullptr || !ok) return StoreError(error);
    return Success();
  }

  Status Remove(std::string_view profile, std::string_view name) override {
    std::string p(profile), n(name);
    GError* error = nullptr;
    secret_password_clear_sync(&kSchema, nullptr, &error, "profile", p.c_str(), "name", n.c_str(), nullptr);
    if (error != nullptr) return StoreError(error);
    return Success();
  }

  Result<bool> Has(std::string_view profile, std::string_view name) override {
    Result<std::optional<Secret>> value = Lookup(profile, name);
    if (!value) return value.error();
    return value->has_value();
  }

  std::string Describe() const override { return "Secret Service keyring"; }

 private:
  static Result<std::optional<Secret>> Lookup(std::string_view profile, std::string_view name) {
    std::string p(profile), n(name);
    GError* error = nullptr;
    SecretPassword value(secret_password_lookup_sync(&kSchema, nullptr, &error, "profile", p.c_str(),
                                                     "name", n.c_str(), nullptr));
    if (error != nullptr) return StoreError(error);
    if (value) return Checked(p, n, std::string_view(value.get(), strlen(value.get())));
    // A locked item whose unlock prompt could not be shown (no display, or
    // dismissed) reads as "not found": tell that apart from a missing one.
    GList* items = secret_password_search_sync(&kSchema, SECRET_SEARCH_ALL, nullptr, &error, "profile",
                                               p.c_str(), "name", n.c_str(), nullptr);
    bool exists = items != nullptr;
    g_list_free_full(items, g_object_unref);
    if (error != nullptr) return StoreError(error);
    if (exists)
      return MakeError(ErrorKind::kStore, "the keyring holding " + n +
                                              " is locked: unlock it (log in to the desktop, or 'gnome-keyring-daemon "
                                              "--unlock' with the password on stdin), then try again");
    return std::optional<Secret>();
  }
};

}  // namespace

std::unique_ptr<SecretStore> OpenSecretServiceStore(const StoreContext&) {
  return std::make_unique<SecretServiceStore>();
}

}  // namespace tokex
