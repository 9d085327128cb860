//! `--data points.csv`: a data set of one's own points for `train`, and for `sample`/`eval --exact`.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use cfg_playground::caps::MAX_CSV_POINTS;
use cfg_playground::datasets::Dataset;
use cfg_playground::error::{Error, Result};
use cfg_playground::points_csv::{self, DRAWN_STD};

use super::inner;

/// Reads a points file (header x,y,label) into a drawn data set, naming the file in any error
/// and saying on stderr when the points were subsampled to the cap.
pub fn read_points(path: &Path) -> Result<Dataset> {
    let file = File::open(path).map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
    let points = points_csv::read(BufReader::new(file))
        .map_err(|e| Error::Io(format!("bad points file {}: {}", path.display(), inner(&e))))?;
    let dataset = points
        .dataset()
        .map_err(|e| Error::Io(format!("bad points file {}: {}", path.display(), inner(&e))))?;
    let n = points.len();
    let kept: usize = dataset.drawn().map_or(0, |d| d.classes.iter().map(|c| c.1.len()).sum());
    let classes: Vec<String> = dataset
        .drawn()
        .map(|d| d.classes.iter().map(|(name, pts)| format!("{name} {}", pts.len())).collect())
        .unwrap_or_default();
    if kept < n {
        eprintln!(
            "{}: {n} points; kept a random {kept} (the cap, {MAX_CSV_POINTS}), class shares kept: {}; each point a Gaussian of σ = {DRAWN_STD}",
            path.display(),
            classes.join(", ")
        );
    } else {
        eprintln!(
            "{}: {n} points ({}); each a Gaussian of σ = {DRAWN_STD}",
            path.display(),
            classes.join(", ")
        );
    }
    Ok(dataset)
}
