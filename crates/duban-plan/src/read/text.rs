//! Plain text in any encoding Chinese government material comes in.

use super::Block;
use crate::error::ParseError;
use encoding_rs::{Encoding, BIG5, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// Decodes bytes by BOM, then strict UTF-8, then UTF-16 without BOM, then
/// the better-scoring of GB18030 and Big5 (scored on common Chinese
/// characters, so a wrong guess that decodes without errors still loses).
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), ParseError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(ParseError::Encoding);
        }
        let name = match enc.name() {
            "UTF-8" => "UTF-8 (BOM)",
            "UTF-16LE" => "UTF-16LE",
            _ => "UTF-16BE",
        };
        return check_text(text.into_owned(), name);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return check_text(text.to_owned(), "UTF-8");
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return check_text(text.into_owned(), enc.name());
        }
    }
    if bytes.contains(&0) {
        return Err(ParseError::Binary);
    }
    let mut best: Option<(usize, String, &'static str)> = None;
    for (enc, name) in [(GB18030, "GB18030"), (BIG5, "Big5")] {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if had_errors {
            continue;
        }
        let score = common_han_score(&text);
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, text.into_owned(), name));
        }
    }
    match best {
        Some((_, text, name)) => check_text(text, name),
        None => {
            // Mostly GB18030 with a few bad bytes (a truncated download) is
            // still worth reading: replace the bad bytes, as editors do.
            let (text, _) = UTF_8.decode_without_bom_handling(bytes);
            let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
            if bad * 20 < text.chars().count() {
                let (gb, _) = GB18030.decode_without_bom_handling(bytes);
                return check_text(gb.into_owned(), "GB18030");
            }
            Err(ParseError::Encoding)
        }
    }
}

/// Text with many control characters is binary that happened to decode.
fn check_text(text: String, name: &'static str) -> Result<(String, &'static str), ParseError> {
    let total = text.chars().count().max(1);
    let control = text
        .chars()
        .filter(|&c| {
            (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) || c == '\u{FFFD}'
        })
        .count();
    if control * 10 > total {
        return Err(ParseError::Binary);
    }
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    Ok((text, name))
}

fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let zero_even = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    // ASCII-heavy UTF-16 has zeros in one lane only; CJK-heavy UTF-16 has
    // none, which GB18030 would reject anyway, so only the lanes are tested.
    if zero_odd * 3 > pairs && zero_even * 20 < pairs {
        Some(UTF_16LE)
    } else if zero_even * 3 > pairs && zero_odd * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// How many characters fall among the most frequent characters of Chinese
/// administrative writing, in either script.
fn common_han_score(text: &str) -> usize {
    const COMMON: &str = "的一是在不了有和人中大为上个国以要时来用们生到作地于出就分对成会可主发年动同工也能下过子产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开合还因由其些然前外天政四日社义事平形相全表间样与关各重新线内数正心反明看原又利比或但质气第向道命此变条只结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求头基资边流路级少图山统接知较将组见计别手角期根论运农指几九区强放决西被做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶思术极交受联认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候亲快效院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞們個國來時過發對會動業經與關現實樣點體當這進還種幾學機頭長開問間應從從產區";
    text.chars().filter(|c| COMMON.contains(*c)).count()
}

/// Every non-blank line is a paragraph; line numbers are 1-based.
pub fn blocks(text: &str) -> Vec<Block> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Block::Paragraph {
            text: l.trim_end_matches('\r').to_string(),
            line: i + 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_gb18030_and_big5_and_utf16() {
        let s = "汨罗市实施“七大攻坚”总体方案（市发改局牵头）";
        let (gb, _, _) = GB18030.encode(s);
        assert_eq!(decode(&gb).unwrap(), (s.to_string(), "GB18030"));

        let t = "市場監管局牽頭，市財政局按職能分工負責。這是實施方案的內容";
        let (big5, _, _) = BIG5.encode(t);
        assert_eq!(decode(&big5).unwrap(), (t.to_string(), "Big5"));

        let mut le = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&le).unwrap(), (s.to_string(), "UTF-16LE"));

        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom).unwrap(), (s.to_string(), "UTF-8 (BOM)"));
    }

    #[test]
    fn rejects_binary() {
        let bin: Vec<u8> = (0..2000u32).map(|i| (i * 7 % 256) as u8).collect();
        assert!(matches!(
            decode(&bin),
            Err(ParseError::Binary | ParseError::Encoding)
        ));
    }
}
