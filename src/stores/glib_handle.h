// RAII owners for GLib and libsecret allocations.
#ifndef TOKEX_GLIB_HANDLE_H_
#define TOKEX_GLIB_HANDLE_H_

#include <glib.h>
#include <libsecret/secret.h>

#include <memory>

namespace tokex {

struct GErrorDeleter {
  void operator()(GError* e) const { g_error_free(e); }
};
/// libsecret's password strings are wiped by secret_password_free.
struct SecretPasswordDeleter {
  void operator()(gchar* p) const { secret_password_free(p); }
};

using GErrorPtr = std::unique_ptr<GError, GErrorDeleter>;
using SecretPassword = std::unique_ptr<gchar, SecretPasswordDeleter>;

}  // namespace tokex

#endif  // TOKEX_GLIB_HANDLE_H_
