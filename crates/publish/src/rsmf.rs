//! RSMF 2.0 export: an EML file carrying `rsmf.zip` (the manifest and the
//! attachments' stand-ins), as Relativity's Short Message Format defines.
