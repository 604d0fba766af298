//! Word boxes of OCR'd pages that extraction gave none (`Page.geometry` is `None`): the
//! rendered page images read again with Tesseract's TSV output, all such pages of a
//! document in one call. Without Tesseract no boxes are found, and a masked span on such a
//! page then fails to place.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use super::CopyError;
use super::raster::PageRaster;
use crate::document::WordBox;

/// Words per page (0-based index into `pages`' own numbering: the page's position in
/// the document), in points from the top-left corner.
pub fn read(
    pages: &[(usize, &PageRaster)],
    dir: &Path,
    config: &crate::config::Config,
) -> Result<BTreeMap<usize, Vec<WordBox>>, CopyError> {
    let mut out = BTreeMap::new();
    if pages.is_empty() {
        return Ok(out);
    }
    let mut list = String::new();
    for (i, r) in pages {
        let path = dir.join(format!("ocr-{i}.png"));
        let gray: Vec<u8> = if r.channels == 1 {
            r.pixels.clone()
        } else {
            r.pixels
                .chunks_exact(3)
                .map(|p| ((p[0] as u32 + p[1] as u32 + p[2] as u32) / 3) as u8)
                .collect()
        };
        let mut png = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut png),
            &gray,
            r.width_px,
            r.height_px,
            image::ExtendedColorType::L8,
        )
        .map_err(|_| CopyError::Write("a page image for OCR cannot be encoded".into()))?;
        std::fs::write(&path, png)
            .map_err(|_| CopyError::Write("a page image for OCR cannot be written".into()))?;
        list.push_str(&path.display().to_string());
        list.push('\n');
    }
    let list_path = dir.join("ocr-pages.txt");
    std::fs::write(&list_path, list)
        .map_err(|_| CopyError::Write("the OCR page list cannot be written".into()))?;
    let program = crate::extract::ocr::tesseract_program(&config.ocr);
    let dpi = ((pages[0].1.scale().1 * 72.0).round() as u32).max(150);
    let mut cmd = Command::new(program);
    cmd.arg(&list_path)
        .arg("stdout")
        .arg("-l")
        .arg(&config.ocr.language)
        .arg("--dpi")
        .arg(dpi.to_string())
        .arg("tsv")
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    crate::extract::child::cap_memory(&mut cmd, config.limits.max_memory_mib);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(_) => return Ok(out),
    };
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let seconds = config.ocr.seconds_per_page.saturating_mul(pages.len() as u64);
    match child.wait_timeout(Duration::from_secs(seconds)) {
        Ok(Some(s)) if s.success() => {}
        Ok(Some(_)) => {
            return Err(CopyError::Verify(
                "Tesseract failed to find the words of a scanned page".into(),
            ));
        }
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(CopyError::Verify(format!(
                "finding the words of the scanned pages took longer than {seconds} s"
            )));
        }
    }
    let tsv = String::from_utf8_lossy(&reader.join().unwrap_or_default()).to_string();
    for (page_num, word) in parse_tsv(&tsv) {
        let Some((i, r)) = pages.get(page_num.saturating_sub(1)) else {
            continue;
        };
        let (sx, sy) = r.scale();
        let (l, t, w, h, text) = word;
        out.entry(*i).or_insert_with(Vec::new).push(WordBox {
            text,
            x0: l as f32 / sx,
            y0: t as f32 / sy,
            x1: (l + w) as f32 / sx,
            y1: (t + h) as f32 / sy,
        });
    }
    Ok(out)
}

type TsvWord = (u32, u32, u32, u32, String);

/// The words (level 5) of Tesseract TSV output: (page number from 1, (left, top, width,
/// height, text)).
fn parse_tsv(tsv: &str) -> Vec<(usize, TsvWord)> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(12, '\t').collect();
            if f.len() < 12 || f[0] != "5" || f[11].trim().is_empty() {
                return None;
            }
            let n = |k: usize| f[k].parse::<u32>().ok();
            Some((n(1)? as usize, (n(6)?, n(7)?, n(8)?, n(9)?, f[11].trim().to_string())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_are_read() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t96.5\tRapport\n\
                   5\t2\t1\t1\t1\t1\t5\t6\t7\t8\t90\tSida\n\
                   5\t2\t1\t1\t1\t2\t5\t6\t7\t8\t90\t \n";
        let w = parse_tsv(tsv);
        assert_eq!(w, [(1, (10, 20, 30, 12, "Rapport".into())), (2, (5, 6, 7, 8, "Sida".into()))]);
    }
}
