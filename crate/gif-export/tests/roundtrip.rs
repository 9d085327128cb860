//! The encoder's output, read back with the `gif` crate's decoder: size, frame count, delays,
//! looping, and pixels close to what went in.
use gif_export::GifWriter;

/// A frame of `w` × `h`: a white background with a red square at column `x`.
fn frame(w: u32, h: u32, x: u32) -> Vec<u8> {
    let mut px = vec![255u8; (w * h * 4) as usize];
    for j in 10..30 {
        for i in x..x + 20 {
            let o = ((j * w + i) * 4) as usize;
            px[o..o + 3].copy_from_slice(&[220, 30, 30]);
        }
    }
    px
}

fn decode(bytes: &[u8]) -> (u16, u16, Vec<(u16, Vec<u8>)>, gif::Repeat) {
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut dec = opts.read_info(bytes).expect("a GIF");
    let (w, h) = (dec.width(), dec.height());
    let mut frames = Vec::new();
    while let Some(f) = dec.read_next_frame().expect("a frame") {
        assert_eq!((f.width, f.height, f.left, f.top), (w, h, 0, 0));
        frames.push((f.delay, f.buffer.to_vec()));
    }
    (w, h, frames, dec.repeat())
}

#[test]
fn frames_size_delays_and_pixels_survive() {
    let (w, h) = (120, 40);
    let mut g = GifWriter::new(w, h, 10).unwrap();
    let delays = [80, 6, 6, 6, 150];
    for (k, d) in delays.iter().enumerate() {
        g.add_frame(&mut frame(w, h, 10 + 20 * k as u32), *d).unwrap();
    }
    assert_eq!(g.frames(), 5);
    let bytes = g.finish().unwrap();
    assert_eq!(&bytes[..6], b"GIF89a");
    let (dw, dh, frames, repeat) = decode(&bytes);
    assert_eq!((dw, dh), (120, 40));
    assert_eq!(repeat, gif::Repeat::Infinite);
    assert_eq!(frames.iter().map(|f| f.0).collect::<Vec<_>>(), delays);
    for (k, (_, px)) in frames.iter().enumerate() {
        let want = frame(w, h, 10 + 20 * k as u32);
        let worst = px.iter().zip(&want).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
        assert!(worst <= 24, "frame {k}: a channel off by {worst}");
    }
    assert_ne!(frames[0].1, frames[1].1, "the square moves");
}

#[test]
fn bad_input_is_a_clear_error() {
    assert!(GifWriter::new(0, 10, 10).unwrap_err().contains("pixels a side"));
    assert!(GifWriter::new(10, 5000, 10).unwrap_err().contains("pixels a side"));
    assert!(GifWriter::new(10, 10, 0).unwrap_err().contains("palette speed"));
    let mut g = GifWriter::new(10, 10, 10).unwrap();
    assert!(g.add_frame(&mut [0; 12], 5).unwrap_err().contains("400 RGBA bytes"));
    assert!(GifWriter::new(10, 10, 10).unwrap().finish().unwrap_err().contains("at least one frame"));
}
