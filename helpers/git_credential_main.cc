// git-credential-tokex: not written yet.
#include <cstdio>

int main() {
  fputs("git-credential-tokex: not written yet\n", stderr);
  return 1;
}
