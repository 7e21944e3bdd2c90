//! Rebuild when translations change: they are compiled into the binary by `fluent-templates`.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
