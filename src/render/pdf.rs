//! TEMPORARY stub until the PDF writer lands.
use super::layout::Block;
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("pdf: {0}")]
    Other(String),
}
pub fn render_pdf(_blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    Ok(b"%PDF-1.4\n%stub\n".to_vec())
}
