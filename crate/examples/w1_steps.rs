// A few hundred W1 training steps, for profiling.
use cfg_playground::{
    activation::Activation, adam::Schedule, bench::w1_config, datasets::Dataset, descent::TrainConfig,
    flow::Trainer,
};
fn main() {
    let act = if std::env::args().any(|a| a == "silu") { Activation::Silu } else { Activation::Relu };
    let cfg = TrainConfig {
        steps: 100000,
        batch: 512,
        lr: 1e-3,
        schedule: Schedule::Constant,
        dropout: 0.2,
        weight_decay: 0.0,
        clip_norm: 0.0,
        seed: 1,
    };
    let mut tr = Trainer::new(Dataset::by_name("three-blobs").unwrap(), w1_config(act), cfg).unwrap();
    let t = std::time::Instant::now();
    let l = tr.train(200);
    eprintln!("{:.3} ms/step, loss {l}", t.elapsed().as_secs_f64() * 1000.0 / 200.0);
}
