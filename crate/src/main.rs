//! The `cfg-playground` command line (native only; the wasm build uses the library).

#[cfg(not(target_arch = "wasm32"))]
mod cli;

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    std::process::exit(cli::main());
}
