import ArgumentParser

@main
struct FlowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flow", abstract: "Durable Lua workflows.")
}
