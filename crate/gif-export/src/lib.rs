//! cfg-playground's animated GIF encoder: frames of RGBA pixels in, a looping GIF89a out.
//!
//! The encoding is the `gif` crate's (image-rs), each frame with its own 256-colour palette from
//! NeuQuant (`color_quant`, through `Frame::from_rgba_speed`). This crate is a separate, small
//! wasm module that the page loads only when a reader presses a figure's GIF button, and runs in
//! a worker (www/lib/gif-worker.js); `web` is its only wasm facade.

#[cfg(target_arch = "wasm32")]
mod web;

use gif::{Encoder, Frame, Repeat};

/// The largest side of a GIF this encoder makes, in pixels (a figure's picture is far smaller).
pub const MAX_SIDE: u32 = 4096;

/// NeuQuant's sampling factor: 1 is the best palette and slowest, 30 the fastest.
pub const SPEEDS: std::ops::RangeInclusive<i32> = 1..=30;

/// An animated GIF being written: `width` × `height` pixels, looping forever.
pub struct GifWriter {
    enc: Encoder<Vec<u8>>,
    width: u16,
    height: u16,
    speed: i32,
    frames: usize,
}

impl std::fmt::Debug for GifWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GifWriter({} × {}, {} frames)", self.width, self.height, self.frames)
    }
}

impl GifWriter {
    /// A new GIF of `width` × `height` pixels whose palettes NeuQuant makes at `speed` (1..=30).
    pub fn new(width: u32, height: u32, speed: i32) -> Result<Self, String> {
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(format!("a GIF is 1 to {MAX_SIDE} pixels a side, not {width} × {height}"));
        }
        if !SPEEDS.contains(&speed) {
            return Err(format!("the palette speed is {} to {}, not {speed}", SPEEDS.start(), SPEEDS.end()));
        }
        let (w, h) = (width as u16, height as u16);
        let mut enc = Encoder::new(Vec::new(), w, h, &[]).map_err(|e| e.to_string())?;
        enc.set_repeat(Repeat::Infinite).map_err(|e| e.to_string())?;
        Ok(Self { enc, width: w, height: h, speed, frames: 0 })
    }

    /// Adds a frame: `rgba` holds width × height × 4 bytes (as a canvas's ImageData does; the
    /// buffer is reused as scratch), shown for `delay_cs` hundredths of a second.
    pub fn add_frame(&mut self, rgba: &mut [u8], delay_cs: u16) -> Result<(), String> {
        let want = self.width as usize * self.height as usize * 4;
        if rgba.len() != want {
            return Err(format!(
                "a frame of {} × {} pixels has {want} RGBA bytes, not {}",
                self.width,
                self.height,
                rgba.len()
            ));
        }
        let mut frame = Frame::from_rgba_speed(self.width, self.height, rgba, self.speed);
        frame.delay = delay_cs;
        self.enc.write_frame(&frame).map_err(|e| e.to_string())?;
        self.frames += 1;
        Ok(())
    }

    /// Frames added so far.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// The finished GIF file.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        if self.frames == 0 {
            return Err("a GIF needs at least one frame".into());
        }
        self.enc.into_inner().map_err(|e| e.to_string())
    }
}
