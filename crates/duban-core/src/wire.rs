//! How the JSON API reads integers. JSON has one number type: `11.0` and
//! `11` are the same integer to JSON Schema (and so to the OpenAPI
//! document and to clients that write every number as a float), but serde
//! refuses `11.0` for an `i64`. Integer fields of request bodies read
//! through [`integer`], which accepts any number with no fractional part
//! that fits the target type.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// `#[serde(deserialize_with = "duban_core::wire::integer")]`.
pub fn integer<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64>,
{
    struct Integer<T>(PhantomData<T>);

    impl<T: TryFrom<i64> + TryFrom<u64>> Visitor<'_> for Integer<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("整数 / an integer")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            T::try_from(v)
                .map_err(|_| E::custom(format!("整数超出范围：{v} / integer out of range: {v}")))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            T::try_from(v)
                .map_err(|_| E::custom(format!("整数超出范围：{v} / integer out of range: {v}")))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            // 2^63 is the first float outside i64; below it every integral
            // float converts exactly.
            if v.fract() == 0.0 && v.abs() < 9_223_372_036_854_775_808.0 {
                self.visit_i64(v as i64)
            } else {
                Err(E::custom(format!(
                    "应为整数：{v} / expected an integer: {v}"
                )))
            }
        }
    }

    d.deserialize_any(Integer(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Body {
        #[serde(deserialize_with = "super::integer")]
        version: i64,
        #[serde(deserialize_with = "super::integer")]
        plan: u32,
    }

    fn read(s: &str) -> Option<Body> {
        serde_json::from_str(s).ok()
    }

    #[test]
    fn integral_numbers_in_any_notation() {
        let want = Some(Body {
            version: 11,
            plan: 2,
        });
        assert_eq!(read(r#"{"version": 11, "plan": 2}"#), want);
        assert_eq!(read(r#"{"version": 11.0, "plan": 2.0}"#), want);
        assert_eq!(read(r#"{"version": 1.1e1, "plan": 2}"#), want);
        assert_eq!(
            read(r#"{"version": -3, "plan": 0}"#),
            Some(Body {
                version: -3,
                plan: 0
            })
        );
        for bad in [
            r#"{"version": 11.5, "plan": 2}"#,
            r#"{"version": 1e19, "plan": 2}"#,
            r#"{"version": 1, "plan": -1}"#,
            r#"{"version": 1, "plan": 4294967296}"#,
            r#"{"version": "11", "plan": 2}"#,
            r#"{"version": null, "plan": 2}"#,
        ] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }
}
