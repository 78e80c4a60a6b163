//! The `atelier` command. Everything happens in `atelier::cli`.

fn main() -> std::process::ExitCode {
    atelier::cli::main()
}
