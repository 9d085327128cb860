//! The wasm facade of the GIF encoder (the only code here that knows about JavaScript).
use wasm_bindgen::prelude::*;

/// An animated GIF being encoded, for the page's GIF worker.
#[wasm_bindgen]
pub struct GifEncoder(Option<crate::GifWriter>);

#[wasm_bindgen]
impl GifEncoder {
    /// A GIF of `width` × `height` pixels; NeuQuant palettes at `speed` (1 best .. 30 fastest).
    #[wasm_bindgen(constructor)]
    pub fn new(width: u32, height: u32, speed: i32) -> Result<GifEncoder, JsError> {
        crate::GifWriter::new(width, height, speed).map(|w| GifEncoder(Some(w))).map_err(|e| JsError::new(&e))
    }

    /// Adds a frame of RGBA bytes (an ImageData's), shown for `delay_cs` hundredths of a second.
    #[wasm_bindgen(js_name = addFrame)]
    pub fn add_frame(&mut self, rgba: &mut [u8], delay_cs: u16) -> Result<(), JsError> {
        self.writer()?.add_frame(rgba, delay_cs).map_err(|e| JsError::new(&e))
    }

    /// The GIF file's bytes; the encoder is spent afterwards.
    pub fn finish(&mut self) -> Result<Vec<u8>, JsError> {
        let w = self.0.take().ok_or_else(|| JsError::new("this GIF is already finished"))?;
        w.finish().map_err(|e| JsError::new(&e))
    }

    fn writer(&mut self) -> Result<&mut crate::GifWriter, JsError> {
        self.0.as_mut().ok_or_else(|| JsError::new("this GIF is already finished"))
    }
}
