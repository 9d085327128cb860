//! `methods!`: the method table's entries (`method/table.rs`, `Variant in module = its row`) made
//! into [`super::Method`], [`super::METHODS`] and the only switches on the method. Invoked once,
//! in `table.rs`, where its items land.

/// The method list, one entry per method: `Variant in module = its row`. The entry declares
/// the variant of `Method` (wrapping `module::Variant`, the method's type, which implements
/// `MethodRule` in `method/module.rs`), re-exports that type, and gives its row of `METHODS`;
/// the switches on the method are generated here and nowhere else: `Method::rule` (what it
/// does), `Method::spec` (its row) and `Method::sample_own` (its own sampler, kept out of the
/// trait object so that the page's wasm leaves the CLI's samplers out).
macro_rules! methods {
    ($($variant:ident in $module:ident = $row:expr,)*) => {
        $(pub use super::$module::$variant;)*

        /// A sampling method and its own parameters (w, steps, solver, n and seed come from
        /// [`crate::sample::SampleConfig`], or from the page's flow): each variant wraps its
        /// method's type (its file under `method/`, its [`MethodRule`]).
        #[derive(Clone, Copy, Debug, PartialEq, Serialize)]
        #[serde(rename_all = "kebab-case", tag = "method")]
        pub enum Method {
            $($variant($variant),)*
        }

        /// Each method's place in [`METHODS`].
        enum Row {
            $($variant,)*
        }

        /// Every sampling method, in the order of [`Method::NAMES`].
        pub const METHODS: [MethodSpec; [$(Row::$variant),*].len()] = [$($row,)*];

        impl Method {
            /// What the method does: its type's [`MethodRule`].
            pub fn rule(&self) -> &dyn MethodRule {
                match self {
                    $(Method::$variant(m) => m,)*
                }
            }

            /// The method's own samples, if it samples by its own means
            /// ([`MethodRule::sample`]; a switch of its own, so that code which never calls it,
            /// as the page's, leaves those samplers out).
            pub(super) fn sample_own(
                &self,
                dataset: &crate::datasets::Dataset,
                source: crate::field::Source,
                label: Option<u32>,
                cfg: &crate::sample::SampleConfig,
            ) -> Option<crate::error::Result<(ndarray::Array2<f32>, crate::sampler::SampleStats)>> {
                match self {
                    $(Method::$variant(m) => m.sample(dataset, source, label, cfg),)*
                }
            }

            /// The method's row of [`METHODS`].
            pub fn spec(&self) -> &'static MethodSpec {
                let rows: &'static [MethodSpec] = &METHODS;
                match self {
                    $(Method::$variant(_) => &rows[Row::$variant as usize],)*
                }
            }
        }

        $(impl From<$variant> for Method {
            fn from(m: $variant) -> Method {
                Method::$variant(m)
            }
        })*
    };
}

pub(super) use methods;
