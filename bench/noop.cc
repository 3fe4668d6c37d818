// The baseline: a C++ program that does nothing, built with the project's
// flags. The cache-hit path is measured against it.
int main() { return 0; }
