// The file store: one 0600 file per secret in a 0700 directory, for
// headless hosts without a keyring. Opt-in with `store = file`.
#include <unistd.h>

#include "private_file.h"
#include "secret_store.h"

namespace tokex {

namespace {

constexpr size_t kMaxSecretBytes = 64 * 1024;

class FileStore : public SecretStore {
 public:
  FileStore(std::string dir, uid_t uid) : dir_(std::move(dir)), uid_(uid) {}

  Result<Secret> Get(std::string_view profile, std::string_view name) override {
    Result<std::optional<std::string>> data = ReadPrivateFile(Path(profile, name), uid_, kMaxSecretBytes);
    if (!data) return MakeError(ErrorKind::kStore, data.error().message);
    if (!data->has_value()) return MissingSecretError(profile, name, dir_);
    Secret s(**data);
    WipeString(&**data);
    return s;
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

  Result<bool> Has(std::string_view profile, std::string_view name) override {
    return access(Path(profile, name).c_str(), F_OK) == 0;
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

  std::string dir_;
  uid_t uid_;
};

}  // namespace

std::unique_ptr<SecretStore> OpenFileStore(const StoreContext& ctx) {
  return std::make_unique<FileStore>(ctx.paths.data_dir, ctx.env.uid);
}

}  // namespace tokex
