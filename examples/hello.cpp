// The first flow: one task returns a greeting, the flow logs it.
#include <weft/weft.hpp>

#include <cstdio>

auto get_data = weft::task("get_data", [] { return std::string("Hello from Weft!"); });

auto my_first_flow = weft::flow("my_first_flow", [] {
    auto data = get_data();
    weft::log().info("{}", data);
    std::printf("%s\n", data.c_str());
});

int main(int argc, char** argv) {
    return weft::main(argc, argv, {my_first_flow});
}
