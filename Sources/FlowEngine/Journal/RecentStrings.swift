/// The name and location of the last step a fold decoded. The steps of a loop all have the same
/// ones, so the decoder hands out these strings again instead of making a new one per record: no
/// allocation or UTF-8 validation per step, and one copy in memory for a million steps.
struct RecentStrings {
    var name = ""
    var location = ""
}
