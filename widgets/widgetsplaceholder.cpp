// weft_widgets gets its sources from the slices' .cmake files; this keeps the target valid while a
// slice is being added.
namespace weft::studio {
int widgetsLibraryVersion() {
    return 1;
}
} // namespace weft::studio
