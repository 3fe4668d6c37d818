// docker-credential-tokex: not written yet.
#include <cstdio>

int main() {
  fputs("docker-credential-tokex: not written yet\n", stderr);
  return 1;
}
