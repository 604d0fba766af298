//! Boxes burned into a page's pixels, and small page images for the review page.

use super::geometry::Rect;
use super::raster::PageRaster;

/// A box in pixels of one page image: columns `x0..x1`, rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelBox {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelBox {
    pub fn contains(&self, o: &PixelBox) -> bool {
        self.x0 <= o.x0 && self.y0 <= o.y0 && self.x1 >= o.x1 && self.y1 >= o.y1
    }
}

/// The pixels a box in points covers (rounded outwards), clipped to the page; `None`
/// when nothing of it is on the page.
pub fn to_pixels(r: Rect, raster: &PageRaster) -> Option<PixelBox> {
    let (sx, sy) = raster.scale();
    let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
    let b = PixelBox {
        x0: clamp((r.x0 * sx).floor(), raster.width_px),
        y0: clamp((r.y0 * sy).floor(), raster.height_px),
        x1: clamp((r.x1 * sx).ceil(), raster.width_px),
        y1: clamp((r.y1 * sy).ceil(), raster.height_px),
    };
    (b.x1 > b.x0 && b.y1 > b.y0).then_some(b)
}

/// A box of a masked span widened by a margin that covers anti-aliasing and the slant of
/// a skewed scan: a tenth of its height, at least a point.
pub fn padded(r: Rect) -> Rect {
    let m = (0.1 * r.height()).max(1.0);
    Rect { x0: r.x0 - m, y0: r.y0 - m, x1: r.x1 + m, y1: r.y1 + m }
}

/// Fill a box with black.
pub fn burn(raster: &mut PageRaster, b: PixelBox) {
    let ch = raster.channels as usize;
    let row = raster.width_px as usize * ch;
    for y in b.y0..b.y1 {
        let start = y as usize * row + b.x0 as usize * ch;
        let end = y as usize * row + b.x1 as usize * ch;
        raster.pixels[start..end].fill(0);
    }
}

/// Whether every pixel of the box is black.
pub fn is_burned(raster: &PageRaster, b: PixelBox) -> bool {
    let ch = raster.channels as usize;
    let row = raster.width_px as usize * ch;
    (b.y0..b.y1).all(|y| {
        let start = y as usize * row + b.x0 as usize * ch;
        let end = y as usize * row + b.x1 as usize * ch;
        raster.pixels[start..end].iter().all(|p| *p == 0)
    })
}

/// A gray copy of the page at most `width` pixels wide (area average), as PNG bytes.
pub fn thumbnail_png(raster: &PageRaster, width: u32) -> Vec<u8> {
    let f = raster.width_px.div_ceil(width.max(1)).max(1);
    let (tw, th) = (raster.width_px / f, raster.height_px / f);
    let ch = raster.channels as usize;
    let mut out = Vec::with_capacity((tw * th) as usize);
    for ty in 0..th {
        for tx in 0..tw {
            let mut sum = 0u32;
            for y in ty * f..(ty + 1) * f {
                let base = (y * raster.width_px + tx * f) as usize * ch;
                for p in raster.pixels[base..base + f as usize * ch].chunks_exact(ch) {
                    sum += p.iter().map(|v| *v as u32).sum::<u32>() / ch as u32;
                }
            }
            out.push((sum / (f * f)) as u8);
        }
    }
    let mut png = Vec::new();
    let enc = image::codecs::png::PngEncoder::new(&mut png);
    let _ = image::ImageEncoder::write_image(enc, &out, tw, th, image::ExtendedColorType::L8);
    png
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(w: u32, h: u32) -> PageRaster {
        PageRaster {
            number: 1,
            width_pt: w as f32 / 2.0,
            height_pt: h as f32 / 2.0,
            width_px: w,
            height_px: h,
            channels: 3,
            scan: None,
            glyphs: Vec::new(),
            pixels: vec![255; (w * h * 3) as usize],
        }
    }

    #[test]
    fn boxes_round_outwards_are_clipped_and_burned() {
        let mut p = page(100, 80);
        let b = to_pixels(Rect { x0: 10.2, y0: 5.6, x1: 20.1, y1: 9.9 }, &p).unwrap();
        assert_eq!(b, PixelBox { x0: 20, y0: 11, x1: 41, y1: 20 });
        assert!(to_pixels(Rect { x0: -9.0, y0: -9.0, x1: -1.0, y1: 3.0 }, &p).is_none());
        let edge = to_pixels(Rect { x0: 45.0, y0: 35.0, x1: 70.0, y1: 90.0 }, &p).unwrap();
        assert_eq!((edge.x1, edge.y1), (100, 80));
        assert!(!is_burned(&p, b));
        burn(&mut p, b);
        assert!(is_burned(&p, b));
        let outside = PixelBox { x0: 19, y0: 11, x1: 20, y1: 12 };
        assert!(!is_burned(&p, outside));
        assert!(thumbnail_png(&p, 25).starts_with(b"\x89PNG"));
    }
}
