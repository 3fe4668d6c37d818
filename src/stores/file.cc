// The file store: one 0600 file per secret in a 0700 directory, for
// headless hosts without a keyring. Opt-in with `store = file`.
#include "private_file.h"
#include "secret_store.h"

namespace tokex {

namespace {

constexpr size_t kMaxSecretBytes = 64 * 1024;

class FileStore : public SecretStore {
 public:
  FileStore(std::string dir, uid_t uid) : dir_(std::move(dir)), uid_(uid) {}

  Result<Secret> Get(std::string_view profile, std::string_view name) override {
    Result<std::optional<Secret>> value = Read(profile, name);
    if (!value) return value.error();
    if (!value->has_value()) return MissingSecretError(profile, name, dir_);
    return std::move(**value);
  }

  Status Set(std::string_view profile, std::string_view name, const Secret& value) override {
    if (Status s = EnsurePrivateDir(dir_, uid_); !s) return MakeError(ErrorKind::kStore, s.error().message);
    Status s = WritePrivateFile(dir_, FileName(profile, name), value.view(), true);
    if (!s) return MakeError(ErrorKind::kStore, s.error().message);
    return Success();
  }

  Status Remove(std::string_view profile, std::string_view name) override {
    Status s = RemoveFile(Path(profile, name));
    if (!s) return MakeError(ErrorKind::kStore, s.error().message);
    return Success();
  }

  // Reads the value as Get would, so status never calls "stored" what
  // Get then refuses.
  Result<bool> Has(std::string_view profile, std::string_view name) override {
    Result<std::optional<Secret>> value = Read(profile, name);
    if (!value) return value.error();
    return value->has_value();
  }

  std::string Describe() const override { return "files in " + dir_; }

 private:
  // Profile names are [A-Za-z0-9._-] and secret names come from the preset
  // table, so the file name cannot escape the directory.
  static std::string FileName(std::string_view profile, std::string_view name) {
    return std::string(profile) + "." + std::string(name);
  }
  std::string Path(std::string_view profile, std::string_view name) const {
    return dir_ + "/" + FileName(profile, name);
  }

  // The secret in its file, nullopt when there is none. A directory or
  // file that is not private, or a value (less one trailing line break,
  // which editors add) that holds a control character or invalid UTF-8, is
  // a kStore error that names the path and never quotes the value.
  Result<std::optional<Secret>> Read(std::string_view profile, std::string_view name) const {
    // A directory others control could hold any file of ours, moved there
    // under another profile's name: it is refused as Set refuses it.
    Result<bool> dir = CheckPrivateDir(dir_, uid_);
    if (!dir) return MakeError(ErrorKind::kStore, dir.error().message);
    if (!*dir) return std::optional<Secret>();
    std::string path = Path(profile, name);
    Result<std::optional<std::string>> data = ReadPrivateFile(path, uid_, kMaxSecretBytes);
    if (!data) return MakeError(ErrorKind::kStore, data.error().message);
    if (!data->has_value()) return std::optional<Secret>();
    std::string_view v = **data;
    if (v.ends_with('\n')) v.remove_suffix(v.ends_with("\r\n") ? 2 : 1);
    bool bad = !IsUsableSecret(name, v);
    std::optional<Secret> value;
    if (!bad) value = Secret(v);
    WipeString(&**data);
    if (bad)
      return MakeError(ErrorKind::kStore, path + " holds a line break, another control character or invalid UTF-8: "
                                                 "store the secret again with 'tokex secret set " +
                                                 std::string(profile) + " " + std::string(name) + "'");
    return value;
  }

  std::string dir_;
  uid_t uid_;
};

}  // namespace

std::unique_ptr<SecretStore> OpenFileStore(const StoreContext& ctx) {
  return std::make_unique<FileStore>(ctx.paths.data_dir, ctx.env.uid);
}

}  // namespace tokex
